/** Gives the installation token that clones (and later pushes) a target. */
export interface InstallationTokens {
  tokenFor(installationId: number): Promise<string>;
}
