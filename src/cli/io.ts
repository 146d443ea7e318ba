// Where CLI commands write: the terminal by default, a buffer in tests; and
// the checks, made before any long work, that the files a command will read
// or write can be read or written.
import { accessSync, constants, statSync, writeFileSync, type Stats } from "node:fs";
import { dirname, resolve } from "node:path";
import { fail, OctetError } from "../errors.js";

export interface Io {
  out(line: string): void;
  err(line: string): void;
}

export const consoleIo: Io = {
  out: (line) => process.stdout.write(line + "\n"),
  err: (line) => process.stderr.write(line + "\n"),
};

/** `path` (given as `--option`) can be created or overwritten as a file. */
export function checkWritableFile(path: string, option: string): void {
  guard(path, option, () => {
    const stat = statOf(path);
    if (stat) {
      if (stat.isDirectory()) fail("BAD_OPTION", `${option} ${path}: is a folder, expected a file`);
      if (!stat.isFile()) fail("BAD_OPTION", `${option} ${path}: is not a regular file`);
      if (!can(path, constants.W_OK)) fail("BAD_OPTION", `${option} ${path}: no permission to write this file`);
      return;
    }
    const folder = dirname(resolve(path));
    const parent = statOf(folder);
    if (!parent) fail("BAD_OPTION", `${option} ${path}: folder ${folder} does not exist`);
    if (!parent.isDirectory()) fail("BAD_OPTION", `${option} ${path}: ${folder} is not a folder`);
    if (!can(folder, constants.W_OK | constants.X_OK)) fail("BAD_OPTION", `${option} ${path}: no permission to create files in folder ${folder}`);
  });
}

/** `path` (given as `--option`) is a file that can be read. */
export function checkReadableFile(path: string, option: string): void {
  guard(path, option, () => {
    const stat = statOf(path);
    if (!stat) fail("BAD_OPTION", `${option} ${path}: no such file`);
    if (stat.isDirectory()) fail("BAD_OPTION", `${option} ${path}: is a folder, expected a file`);
    if (!stat.isFile()) fail("BAD_OPTION", `${option} ${path}: is not a regular file`);
    if (!can(path, constants.R_OK)) fail("BAD_OPTION", `${option} ${path}: no permission to read this file`);
  });
}

/** Writes an output file, naming the option and path if the file system refuses. */
export function writeOutput(path: string, data: string | Uint8Array, option: string): void {
  guard(path, option, () => writeFileSync(path, data));
}

/** Whether `path` exists (as anything). */
export function pathExists(path: string, option: string): boolean {
  return guard(path, option, () => statOf(path) !== null);
}

/** The path's stats, or null when nothing is there (also when a file stands where a folder of the path should be). */
function statOf(path: string): Stats | null {
  try {
    return statSync(path, { throwIfNoEntry: false }) ?? null;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOTDIR") return null;
    throw e;
  }
}

function can(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}

/** Runs a check, turning the file system's own errors (a NUL in the path, ELOOP, EACCES on a folder above) into OctetErrors. */
function guard<T>(path: string, option: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (e instanceof OctetError) throw e;
    return fail("BAD_OPTION", `${option} ${JSON.stringify(path)}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}
