export * from './accounts';
export * from './app-config';
export * from './applications';
export * from './endpoints';
export * from './limits';
export * from './teams';
