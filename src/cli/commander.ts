/**
 * commander, imported by this module alone. The build compiles commander into the one source
 * module that imports it (scripts/build.mjs, BUNDLED): every command file and argument parser
 * takes it from here, so the program has one copy of it and of its classes.
 */
export { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
