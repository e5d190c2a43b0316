/**
 * Small stories for the coverage tests, written for them: a hospital's AI story as a press release
 * and as outlets carry it, and stories that share its topic or its template but are not it.
 */

export const RELEASE_TITLE = 'Riverside Hospital cuts sepsis deaths by a fifth with an AI early-warning system';

/** The press release: the story's own paragraphs. */
export const RELEASE = [
  'Riverside General Hospital said on Tuesday that an artificial intelligence system that watches patients’ vital signs helped cut deaths from sepsis by 21 percent over eighteen months across its four intensive care units.',
  'The system, called SepsisWatch, reads heart rate, temperature, blood pressure and laboratory results every fifteen minutes and alerts a nurse when a patient’s risk rises above a threshold set by the hospital’s own clinicians.',
  'Nurses confirmed or dismissed each alert within a median of nine minutes, and antibiotics were started on average two hours earlier than before the system was introduced, according to figures the hospital published with the announcement.',
  'Dr. Amara Okafor, who leads the hospital’s critical care department, said the tool did not replace clinical judgement. “It gives our nurses a second pair of eyes at three in the morning, when the ward is short-staffed and the signs are subtle,” she said.',
  'The hospital studied 14,200 admissions between March 2024 and September 2025. Independent statisticians at the state university reviewed the analysis, and the results have been submitted to a peer-reviewed journal.',
  'Riverside plans to share the alert thresholds and its training materials with three rural hospitals in the region next spring, at no cost, so that smaller units without specialist staff can run the same checks.',
].join('\n\n');

/** Outlet A carries the release with its own opening paragraph. */
export const OUTLET_A = [
  'A regional hospital is reporting one of the clearest real-world results yet for machine learning at the bedside, after a year and a half of use on its sickest patients.',
  ...RELEASE.split('\n\n'),
].join('\n\n');

/** Outlet B carries it with another opening and its own headline, and leaves the last paragraph out. */
export const OUTLET_B_TITLE = 'AI alerts help nurses catch sepsis hours earlier at Riverside General | Health Desk';
export const OUTLET_B = [
  'Nurses in Riverside say a new alert system has changed how night shifts work in intensive care.',
  ...RELEASE.split('\n\n').slice(0, 5),
].join('\n\n');

/** The same topic, another story: a different hospital, different findings. */
export const OTHER_HOSPITAL_TITLE = 'Lakeshore clinic tests AI to read chest X-rays in emergency rooms';
export const OTHER_HOSPITAL = [
  'Lakeshore Medical Center has begun a trial in which an artificial intelligence model reads chest X-rays in its emergency department before a radiologist does, flagging suspected pneumonia and collapsed lungs.',
  'The model marks images it considers urgent so that radiologists read them first. In the first six weeks it flagged 312 of 4,100 scans, and radiologists agreed with 271 of those flags.',
  'Dr. Hannah Reyes, the clinic’s head of radiology, said the trial would run until the summer. “We want to know whether it shortens the wait for the patients who need us most, not whether it can replace anyone,” she said.',
  'Patients are told about the trial on admission and can ask for their images to be excluded. The clinic said it would publish the results whatever they show.',
].join('\n\n');

/** Last year's edition of a recurring announcement, in the same template as this year's. */
export const SCHOLARSHIP_2025 =
  'We are committed to increasing diversity at the AI Safety Summit, and we believe the best way to do that is to make sure we have a diverse set of applicants. As part of that commitment, we are excited to announce travel scholarships this year. To be eligible, applicants must be 18 years of age or older and work or study in computer science or a related field. The summit takes place on November 14th - 15th 2025 in London. The deadline for applications is July 1st, and recipients will be announced on August 15th. The scholarship covers airfare and 3 nights of accommodation, and a £75 gift card for other costs.';
export const SCHOLARSHIP_2026 =
  'We are committed to increasing diversity at the AI Safety Summit, and we believe the best way to do that is to make sure we have a diverse set of applicants. As part of that commitment, we are excited to announce travel scholarships again this year. To be eligible, applicants must be 18 years of age or older and work or study in computer science or a related field. The summit takes place on October 20th - 21st 2026 in Toronto. The deadline for applications is June 2nd, and recipients will be announced on July 30th. The scholarship covers airfare and 4 nights of accommodation, and a $50 gift card for other costs.';
