/**
 * An assignment's dates and rules in words, as students read them. Dates are
 * given in UTC with the zone named, so the page says the same to everyone.
 */
export function when(date: string | Date): string {
  return `${new Date(date).toLocaleString("en-GB", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" })} UTC`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

export function latePolicyWords(a: { lateUntil: string | Date | null; latePenaltyPerDay: number }): string {
  if (!a.lateUntil) return "No late submissions: submitting closes at the due date.";
  const penalty = a.latePenaltyPerDay > 0 ? `with ${a.latePenaltyPerDay}% of the score taken off per started day late` : "without penalty";
  return `Late submissions are accepted until ${when(a.lateUntil)}, ${penalty}.`;
}

export function submissionLimitWords(a: { submissionLimit: number | null; submissionRefillMinutes: number | null }): string {
  if (a.submissionLimit === null) return "You may submit as often as you like; your latest submission counts.";
  if (a.submissionRefillMinutes === null) return `You may submit at most ${plural(a.submissionLimit, "time")}; your latest submission counts.`;
  return `You have ${plural(a.submissionLimit, "submission")} to spend; one comes back every ${plural(a.submissionRefillMinutes, "minute")} (up to ${a.submissionLimit}). Your latest submission counts.`;
}

export function hiddenTestsWords(hidden: { count: number; points: number }, feedback: "verdict" | "nothing"): string | undefined {
  if (hidden.count === 0) return undefined;
  const what = `${plural(hidden.count, "hidden test")} worth ${plural(hidden.points, "point")}`;
  return feedback === "verdict"
    ? `There ${hidden.count === 1 ? "is" : "are"} also ${what}: after you submit you see each one's verdict and points, never its input or expected output.`
    : `There ${hidden.count === 1 ? "is" : "are"} also ${what}: they count in your score, but nothing else of them is shown.`;
}
