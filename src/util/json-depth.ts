// How deep a JSON text nests, found by one scan (no recursion), so a
// document nested thousands deep is refused before any recursive code sees it.

/** Index of the first bracket that opens level limit + 1, or -1 when the text stays within `limit`. */
export function positionDeeperThan(text: string, limit: number): number {
  let depth = 0, inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > limit) return i;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return -1;
}
