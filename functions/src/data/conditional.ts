import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/**
 * Runs a conditional write and reports whether its condition held. Every state
 * change in the product is a conditional write: a false here means another
 * writer got there first, which callers treat as a normal outcome.
 */
export async function conditionally(write: () => Promise<unknown>): Promise<boolean> {
  try {
    await write();
    return true;
  } catch (error) {
    if (
      error instanceof ConditionalCheckFailedException ||
      (error as Error)?.name === 'ConditionalCheckFailedException'
    ) {
      return false;
    }
    throw error;
  }
}

/** Like conditionally(), for a write that returns what it wrote: undefined when the condition failed. */
export async function conditionallyReturning<T>(write: () => Promise<T>): Promise<T | undefined> {
  let written: T | undefined;
  const held = await conditionally(async () => {
    written = await write();
  });
  return held ? written : undefined;
}
