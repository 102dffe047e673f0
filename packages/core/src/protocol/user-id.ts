/**
 * The user ids the product accepts (the JWT `sub`): 1-128 UTF-16 code units with no
 * control, format, separator or unassigned code points. That admits what
 * identity providers issue (Cognito UUIDs, `auth0|5f7c...`,
 * `google-oauth2|1093...`, emails) and refuses NUL, newlines, tabs, spaces and
 * invisible characters, which break logs, environments and displays.
 */
export const MAX_USER_ID_LENGTH = 128;
const USER_ID = /^[^\p{C}\p{Z}]+$/u;

export function isValidUserId(value: unknown): value is string {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= MAX_USER_ID_LENGTH && USER_ID.test(value)
  );
}
