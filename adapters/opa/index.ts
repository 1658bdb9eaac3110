export { OpaWasmAuthorizer, POLICY_ENTRYPOINTS, POLICY_EVALUATION_FAILED } from './OpaWasmAuthorizer';
