// What an automation may be called: the file name under .github/automations/ and the word typed
// after `/automation run`. One pattern for both, so every name that loads can also be typed.
export const automationNamePattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

export function isAutomationName(value: string): boolean {
  return automationNamePattern.test(value);
}
