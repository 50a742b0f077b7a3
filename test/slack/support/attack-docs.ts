// The attack the Slack end-to-end tests escalate: eight failed SSH logins from one address in
// the last ten minutes (the users taken in turn), and, unless told otherwise, an accepted login
// as `deploy` two minutes ago (a success-after-failure alert besides the brute force).
import { sshDoc } from '../../support/seed.js';

export function attackDocs(
  ip: string,
  now: number,
  {
    users = ['root', 'admin', 'oracle', 'deploy'],
    success = true,
  }: { users?: string[]; success?: boolean } = {},
) {
  const failures = Array.from({ length: 8 }, (_, i) =>
    sshDoc({
      at: now - 10 * 60_000 + i * 30_000,
      ip,
      user: users[i % users.length]!,
      kind: 'Failed',
      host: 'web-1',
    }),
  );
  if (!success) return failures;
  return [...failures, sshDoc({ at: now - 2 * 60_000, ip, user: 'deploy', kind: 'Accepted', host: 'web-1' })];
}
