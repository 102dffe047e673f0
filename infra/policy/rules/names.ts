import { str } from './resource.js';

/**
 * Rule 9: names AWS refuses. When `name` is unset, Pulumi auto-names a
 * resource `<logical name>-<7 hex>` (8 characters more; a FIFO queue also
 * gets `.fifo`), and the logical name carries the stack's prefix: a long or
 * capitalised stack name breaks these.
 */
interface NameRule {
  what: string;
  pattern: RegExp;
  min: number;
  max: number;
  /** Where the limit is written. */
  source: string;
}

const NAME_RULES: Record<string, NameRule> = {
  'aws:ecr/repository:Repository': {
    what: 'ECR repository name (lowercase letters, digits, . _ - and / between parts)',
    pattern: /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/,
    min: 2,
    max: 256,
    source: 'Amazon ECR API, CreateRepository repositoryName',
  },
  'aws:sqs/queue:Queue': {
    what: 'SQS queue name (letters, digits, - and _; a FIFO queue ends in .fifo)',
    pattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
    min: 1,
    max: 80,
    source: 'Amazon SQS API, CreateQueue QueueName',
  },
  'aws:lambda/function:Function': {
    what: 'Lambda function name (letters, digits, - and _)',
    pattern: /^[A-Za-z0-9_-]+$/,
    min: 1,
    max: 64,
    source: 'Lambda API, CreateFunction FunctionName',
  },
  'aws:iam/role:Role': {
    what: 'IAM role name (letters, digits and +=,.@_-)',
    pattern: /^[\w+=,.@-]+$/,
    min: 1,
    max: 64,
    source: 'IAM API, CreateRole RoleName',
  },
  'aws:dynamodb/table:Table': {
    what: 'DynamoDB table name (letters, digits, _ . and -)',
    pattern: /^[A-Za-z0-9_.-]+$/,
    min: 3,
    max: 255,
    source: 'DynamoDB API, CreateTable TableName',
  },
};

/** The physical name AWS will get: the explicit one, else Pulumi's auto-name (7 placeholder characters). */
export function physicalName(type: string, logicalName: string, props: Record<string, unknown>): string {
  const explicit = str(props.name);
  if (explicit !== undefined) return explicit;
  const prefix = str(props.namePrefix);
  // Terraform's unique suffix after a name prefix is 26 characters.
  if (prefix !== undefined) return `${prefix}${'0'.repeat(26)}`;
  const fifo = type === 'aws:sqs/queue:Queue' && props.fifoQueue === true ? '.fifo' : '';
  return `${logicalName}-xxxxxxx${fifo}`.replace(/x/g, '0');
}

export function nameViolations(type: string, logicalName: string, props: Record<string, unknown>): string[] {
  const rule = NAME_RULES[type];
  if (!rule) return [];
  const name = physicalName(type, logicalName, props);
  const out: string[] = [];
  if (name.length < rule.min || name.length > rule.max)
    out.push(
      `${name}: ${name.length} characters; a ${rule.what} has ${rule.min}-${rule.max} (${rule.source})`,
    );
  if (!rule.pattern.test(name)) out.push(`${name}: not a valid ${rule.what} (${rule.source})`);
  if (type === 'aws:sqs/queue:Queue' && (props.fifoQueue === true) !== name.endsWith('.fifo'))
    out.push(`${name}: a FIFO queue's name ends in .fifo, and only a FIFO queue's (${rule.source})`);
  return out;
}
