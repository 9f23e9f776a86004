export * from './accounts';
export * from './applications';
export * from './endpoints';
export * from './limits';
export * from './teams';
