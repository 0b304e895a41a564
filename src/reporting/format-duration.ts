// Durations as people read them in a check run: 0.4s, 1.2s, 45s, 3m 04s, 1h 02m.

export function formatDuration(ms: number): string {
  // Clocks of different hosts can disagree by a little; a negative duration means "just now".
  const clamped = Math.max(0, ms);
  // Below 10s the tenths matter; 9.96s would otherwise round up to "10.0s".
  if (clamped < 9_950) return `${(clamped / 1000).toFixed(1)}s`;
  const totalSeconds = Math.round(clamped / 1000);
  if (totalSeconds < 60) return `${totalSeconds}s`;
  const totalMinutes = Math.floor(totalSeconds / 60);
  const seconds = totalSeconds % 60;
  if (totalMinutes < 60) return `${totalMinutes}m ${String(seconds).padStart(2, "0")}s`;
  const hours = Math.floor(totalMinutes / 60);
  const minutes = totalMinutes % 60;
  return `${hours}h ${String(minutes).padStart(2, "0")}m`;
}
