/** The prompt or another part of the setup is unusable: nothing was done. */
export class PipelineSetupError extends Error {}
