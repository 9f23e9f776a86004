export { ActingUser, type ScriptedSend } from './acting-user';
export { ChatTestkit, type ChatTestkitOptions, createChatTestkit } from './chat-testkit';
export { TestkitProtocolError } from './checked';
export { KitError } from './kit-error';
export { SAMPLE_SEED, type SeedChannel, type SeedMessage, type SeedUser, type TestkitSeed } from './seed';
