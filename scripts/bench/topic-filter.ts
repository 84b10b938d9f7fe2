/** True when an MQTT topic filter (`+` and `#` wildcards) matches a topic. */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (const [i, level] of f.entries()) {
    if (level === '#') return true;
    if (i >= t.length || (level !== '+' && level !== t[i])) return false;
  }
  return f.length === t.length;
}
