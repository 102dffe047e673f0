import { num } from './resource.js';

/**
 * Rule 8. Amazon ECS developer guide, "Task size" (Fargate): the valid
 * memory (MiB) for each task cpu value (CPU units). RegisterTaskDefinition
 * accepts others, RunTask then fails; so check here.
 */
const range = (from: number, to: number, step: number) =>
  Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);

export const FARGATE_SIZES: ReadonlyMap<number, readonly number[]> = new Map([
  [256, [512, 1024, 2048]],
  [512, range(1024, 4096, 1024)],
  [1024, range(2048, 8192, 1024)],
  [2048, range(4096, 16384, 1024)],
  [4096, range(8192, 30720, 1024)],
  [8192, range(16384, 61440, 4096)],
  [16384, range(32768, 122880, 8192)],
]);

export function fargateSizeViolations(type: string, props: Record<string, unknown>): string[] {
  if (type !== 'aws:ecs/taskDefinition:TaskDefinition') return [];
  const compatibilities = props.requiresCompatibilities;
  if (!Array.isArray(compatibilities) || !compatibilities.includes('FARGATE')) return [];
  const family = typeof props.family === 'string' ? props.family : 'the task definition';
  const cpu = num(props.cpu);
  const memory = num(props.memory);
  if (cpu === undefined || memory === undefined)
    return [`${family}: a Fargate task needs task-level cpu and memory`];
  const valid = FARGATE_SIZES.get(cpu);
  if (!valid)
    return [`${family}: cpu ${cpu} is not a Fargate size (${[...FARGATE_SIZES.keys()].join(', ')})`];
  if (!valid.includes(memory))
    return [
      `${family}: memory ${memory} MiB is not valid with cpu ${cpu} on Fargate (valid: ${valid.join(', ')})`,
    ];
  return [];
}
