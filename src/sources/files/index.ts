export { readHome, type ReadHomeOptions, type HomeEntry, type HomeSink, type IoniceClass } from './read-home.ts';
export { HOME_WARNINGS } from './frame.ts';
export { FrameParser } from './frame-parser.ts';
export { makeExcluder, sshAllows, isSafeRelativePath } from './policy.ts';
