import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
} from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { promisify } from 'node:util';
import dockerignore from '@balena/dockerignore';

/*
 * A rehearsal of `docker build -f game-server/Dockerfile .` without a Docker
 * engine: the Dockerfile is read as BuildKit reads it, the context is what
 * survives the ignore file, and each stage's COPY and RUN are replayed in a
 * temporary directory standing for the image's filesystem.
 */

/** One Dockerfile instruction, continuation lines joined. */
export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string | undefined;
  instructions: Instruction[];
}

/** A COPY or ADD: its flags (`--from=build`, `--chown=...`), sources and destination. */
export interface Copy {
  keyword: 'COPY' | 'ADD';
  flags: Record<string, string>;
  sources: string[];
  dest: string;
}

/**
 * The instructions, in order. A line ending in `\` continues on the next, and
 * comment lines inside a continuation are dropped
 * (https://docs.docker.com/reference/dockerfile/#format).
 */
export function instructions(dockerfileText: string): Instruction[] {
  const result: Instruction[] = [];
  let pending = '';
  for (const raw of dockerfileText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#') || (line === '' && pending === '')) continue;
    const continued = line.endsWith('\\');
    pending += `${continued ? line.slice(0, -1) : line} `;
    if (continued) continue;
    const [keyword = '', ...rest] = pending.trim().split(/\s+/);
    result.push({ keyword: keyword.toUpperCase(), args: rest.join(' ') });
    pending = '';
  }
  return result;
}

/** The stages: each FROM starts one, named by its `AS name`. */
export function stages(dockerfileText: string): Stage[] {
  const result: Stage[] = [];
  for (const instruction of instructions(dockerfileText)) {
    if (instruction.keyword === 'FROM') {
      const name = /\s+as\s+(\S+)$/i.exec(instruction.args)?.[1];
      result.push({ name, instructions: [] });
    } else {
      result.at(-1)?.instructions.push(instruction);
    }
  }
  return result;
}

/** Leading `--name=value` (or bare `--name`) flags, and the words after them. */
function flagsAndWords(args: string): { flags: Record<string, string>; words: string[] } {
  const flags: Record<string, string> = {};
  let rest = args.trim();
  for (
    let flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest);
    flag;
    flag = /^--([\w-]+)(?:=(\S*))?\s*/.exec(rest)
  ) {
    flags[flag[1]!] = flag[2] ?? 'true';
    rest = rest.slice(flag[0].length);
  }
  // The exec (JSON) form, e.g. COPY ["a b", "dest/"], or whitespace-separated words.
  const words = rest.startsWith('[') ? (JSON.parse(rest) as string[]) : rest.split(/\s+/).filter(Boolean);
  return { flags, words };
}

/** Every COPY and ADD of a stage. */
export function copies(stage: Stage): Copy[] {
  return stage.instructions
    .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
    .map((i) => {
      const { flags, words } = flagsAndWords(i.args);
      return {
        keyword: i.keyword as Copy['keyword'],
        flags,
        sources: words.slice(0, -1),
        dest: words.at(-1)!,
      };
    });
}

/**
 * The sources COPY and ADD take from the build context, in every stage: not
 * a `--from=` copy (another stage's or image's files), not an ADD of a URL.
 */
export function copySources(dockerfileText: string): string[] {
  const sources = stages(dockerfileText)
    .flatMap(copies)
    .filter((copy) => copy.flags.from === undefined)
    .flatMap((copy) => copy.sources)
    .filter((source) => !/^(https?:\/\/|git@)/.test(source));
  return [...new Set(sources)];
}

/**
 * The files of the build context: those under contextDir the ignore file
 * lets through, as relative POSIX paths. Patterns are matched from the
 * context root with Docker's rules (@balena/dockerignore, a port of moby's;
 * case-sensitive as on Linux). An ignored folder is not walked unless a `!`
 * line names a path inside it, as moby's archive walker does
 * (pkg/archive TarWithOptions), so node_modules and .git are never read.
 */
export function contextFiles(contextDir: string, ignoreText: string): string[] {
  const patterns = ignoreText.split(/\r?\n/);
  // A CommonJS module: its factory is both module.exports and .default (what its types declare).
  const matcher = dockerignore.default({ ignorecase: false }).add(patterns);
  const exceptions = patterns
    .map((p) => p.trim())
    .filter((p) => p.startsWith('!'))
    .map((p) => posix.normalize(p.slice(1)).replace(/^\/+/, ''));
  const files: string[] = [];
  const visit = (relative: string) => {
    for (const entry of readdirSync(join(contextDir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      const ignored = matcher.ignores(path);
      if (entry.isDirectory()) {
        if (!ignored || exceptions.some((p) => `${p}/`.startsWith(`${path}/`))) visit(path);
      } else if (!ignored) {
        files.push(path);
      }
    }
  };
  visit('');
  return files.sort();
}

/** A COPY source as a pattern: Go's filepath.Match wildcards (`*`, `?`, `[...]`), one path segment each. */
function sourcePattern(source: string): RegExp {
  const body = source
    .split('')
    .map((c) =>
      c === '*' ? '[^/]*' : c === '?' ? '[^/]' : /[[\]]/.test(c) ? c : c.replace(/[.+^${}()|\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}

/**
 * Where one context file lands for a COPY source: the prefix of the file's
 * path the source names (the file itself, or a folder whose contents are
 * copied; '' for the whole context), or undefined if the source does not
 * name the file.
 */
function sourcePrefix(source: string, file: string): string | undefined {
  const clean = posix.normalize(source).replace(/^\/+|\/+$/g, '');
  if (clean === '.' || clean === '') return '';
  const pattern = sourcePattern(clean);
  const parts = file.split('/');
  for (let n = 1; n <= parts.length; n++) {
    const prefix = parts.slice(0, n).join('/');
    if (pattern.test(prefix)) return prefix;
  }
  return undefined;
}

/**
 * Each COPY/ADD source of the Dockerfile that would not be in the build
 * context: it does not exist under contextDir, or the ignore file leaves out
 * all of it. BuildKit then fails the build with "not found".
 */
export function missingCopySources(
  dockerfilePath: string,
  contextDir: string,
  ignoreFilePath: string,
): string[] {
  const files = contextFiles(contextDir, readFileSync(ignoreFilePath, 'utf8'));
  return copySources(readFileSync(dockerfilePath, 'utf8')).filter(
    (source) => !files.some((file) => sourcePrefix(source, file) !== undefined),
  );
}

/** `ENV a=b c=d` (or the older `ENV a b`). */
function envOf(args: string): Record<string, string> {
  const legacy = /^(\w+)\s+(?!\S*=)(.*)$/.exec(args);
  if (legacy) return { [legacy[1]!]: legacy[2]! };
  return Object.fromEntries(
    [...args.matchAll(/(\w+)=("[^"]*"|\S*)/g)].map((m) => [m[1]!, m[2]!.replace(/^"|"$/g, '')]),
  );
}

/** A RUN, CMD or HEALTHCHECK command: the exec (JSON) form as is, the shell form through `/bin/sh -c`. */
export function commandOf(args: string): string[] {
  const trimmed = args.trim();
  return trimmed.startsWith('[') ? (JSON.parse(trimmed) as string[]) : ['/bin/sh', '-c', trimmed];
}

/** What a replayed stage leaves: its filesystem, and what a container of it would be started with. */
export interface StageResult {
  /** The directory standing for the stage's `/`. */
  rootfs: string;
  /** WORKDIR, as a path inside the image. */
  workdir: string;
  /** The ENV the stage set (not the base image's). */
  env: Record<string, string>;
  user: string | undefined;
  cmd: string[] | undefined;
  /** The HEALTHCHECK's command, without its options. */
  healthcheck: string[] | undefined;
}

export interface ReplayOptions {
  /** The directory standing for the stage's `/` (created). */
  rootfs: string;
  /** The build context's files, from contextFiles. */
  contextDir: string;
  context: string[];
  /** Earlier stages by name, for COPY --from=. */
  built: Record<string, StageResult>;
  /** The environment a RUN starts with, before the stage's ENV (the base image's). */
  baseEnv: Record<string, string>;
  /** A RUN as it is replayed here, or undefined to skip it (e.g. a tool already installed). */
  translate: (command: string[]) => string[] | undefined;
}

const run = promisify(execFile);

/**
 * Replays one stage: WORKDIR, ENV, COPY (from the context, or --from= an
 * earlier stage), RUN, and records USER, CMD and HEALTHCHECK. COPY copies a
 * folder's contents, and a file into a destination ending in `/`
 * (https://docs.docker.com/reference/dockerfile/#copy). Anything else that
 * changes the image fails the replay rather than being silently skipped.
 */
export async function replayStage(stage: Stage, options: ReplayOptions): Promise<StageResult> {
  const { rootfs } = options;
  const result: StageResult = {
    rootfs,
    workdir: '/',
    env: {},
    user: undefined,
    cmd: undefined,
    healthcheck: undefined,
  };
  const inImage = (path: string) => join(rootfs, posix.resolve(result.workdir, path));
  mkdirSync(rootfs, { recursive: true });
  for (const instruction of stage.instructions) {
    const { keyword, args } = instruction;
    if (keyword === 'WORKDIR') {
      result.workdir = posix.resolve(result.workdir, args);
      mkdirSync(inImage('.'), { recursive: true });
    } else if (keyword === 'ENV') {
      Object.assign(result.env, envOf(args));
    } else if (keyword === 'USER') {
      result.user = args;
    } else if (keyword === 'CMD') {
      result.cmd = commandOf(args);
    } else if (keyword === 'HEALTHCHECK') {
      result.healthcheck = /^none$/i.test(args.trim())
        ? undefined
        : commandOf(args.replace(/^(--\S+\s+)*CMD\s+/i, ''));
    } else if (keyword === 'COPY' || keyword === 'ADD') {
      const [copy] = copies({ name: undefined, instructions: [instruction] });
      copyInto(copy!, options, result.workdir);
    } else if (keyword === 'RUN') {
      const command = options.translate(commandOf(args));
      if (!command) continue;
      const [file, ...rest] = command;
      await run(file!, rest, {
        cwd: inImage('.'),
        env: { ...options.baseEnv, ...result.env },
        maxBuffer: 64 * 1024 * 1024,
      }).catch((error: { stdout?: string; stderr?: string }) => {
        // pnpm reports on stdout: both, so the failure says why.
        throw new Error(`RUN ${command.join(' ')} failed:\n${error.stdout ?? ''}${error.stderr ?? ''}`);
      });
    } else if (!['EXPOSE', 'LABEL', 'ARG', 'STOPSIGNAL'].includes(keyword)) {
      throw new Error(`the rehearsal does not replay ${keyword}`);
    }
  }
  return result;
}

function copyInto(copy: Copy, options: ReplayOptions, workdir: string): void {
  const from = copy.flags.from;
  const source = from === undefined ? undefined : options.built[from];
  if (from !== undefined && !source) throw new Error(`COPY --from=${from}: no such earlier stage`);
  const many = copy.sources.length > 1 || copy.dest.endsWith('/');
  const dest = posix.resolve(workdir, copy.dest);
  for (const pattern of copy.sources) {
    // A --from= source is a path in that stage's image; a context source is relative to the context root.
    const base = source ? source.rootfs : options.contextDir;
    const relative = source ? posix.resolve(source.workdir, pattern).slice(1) : pattern;
    const files = source ? filesUnder(source.rootfs, literalPrefix(relative)) : options.context;
    let copied = 0;
    for (const file of files) {
      const prefix = sourcePrefix(relative, file);
      if (prefix === undefined) continue;
      const target =
        prefix === file
          ? many
            ? posix.join(dest, basename(file))
            : dest
          : posix.join(dest, posix.relative(prefix, file));
      mkdirSync(dirname(join(options.rootfs, target)), { recursive: true });
      // A symlink is copied as a symlink (pnpm's node_modules are made of them), as COPY does.
      const [from, to] = [join(base, file), join(options.rootfs, target)];
      if (lstatSync(from).isSymbolicLink()) symlinkSync(readlinkSync(from), to);
      else copyFileSync(from, to);
      copied++;
    }
    if (copied === 0) throw new Error(`${copy.keyword} ${pattern}: not found`);
  }
}

/** The folders of a source before its first wildcard: only they are walked in a stage's filesystem. */
function literalPrefix(source: string): string {
  const parts = source.split('/');
  const wild = parts.findIndex((part) => /[*?[]/.test(part));
  return parts.slice(0, wild === -1 ? parts.length : wild).join('/');
}

/** Every file at or under `sub` in a stage's filesystem, as paths relative to its `/`. */
function filesUnder(rootfs: string, sub: string): string[] {
  const start = join(rootfs, sub);
  if (!existsSync(start)) return [];
  if (!statSync(start).isDirectory()) return [sub];
  return readdirSync(start, { recursive: true, withFileTypes: true })
    .filter((entry) => !entry.isDirectory())
    .map((entry) => posix.relative(rootfs, posix.join(entry.parentPath, entry.name)));
}
