/** The functions' policies come from the one generator the local runtime enforces too. */
export { type AccessTargets, type Statement, statementsFor } from '@matchmaking/functions/iam-policy';
