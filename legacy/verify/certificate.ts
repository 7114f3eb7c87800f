/** The verdict on a server certificate, as a pure function of what the TLS handshake reported. */
export interface CertificateFacts {
  /** Chain verified against the trusted CAs (Node's `socket.authorized`). */
  readonly authorized: boolean;
  readonly authorizationError?: string;
  /** From tls.checkServerIdentity: undefined when the certificate is valid for the hostname. */
  readonly identityError?: string;
  readonly validFrom: Date;
  readonly validTo: Date;
}

export interface CertificateVerdict {
  readonly ok: boolean;
  readonly detail: string;
}

const day = 86_400_000;
const isoDay = (d: Date) => d.toISOString().slice(0, 10);

export function judgeCertificate(
  facts: CertificateFacts,
  hostname: string,
  minDays: number,
  now: Date,
): CertificateVerdict {
  const daysLeft = Math.floor((facts.validTo.getTime() - now.getTime()) / day);
  if (facts.validTo.getTime() <= now.getTime())
    return { ok: false, detail: `certificate expired on ${isoDay(facts.validTo)}` };
  if (facts.validFrom.getTime() > now.getTime())
    return { ok: false, detail: `certificate not valid before ${isoDay(facts.validFrom)}` };
  if (facts.identityError)
    return { ok: false, detail: `certificate not valid for ${hostname}: ${facts.identityError}` };
  if (!facts.authorized)
    return {
      ok: false,
      detail: `certificate not trusted (${facts.authorizationError ?? 'unknown issuer'}); --ca-file adds a CA`,
    };
  if (daysLeft < minDays) {
    return {
      ok: false,
      detail: `certificate expires in ${daysLeft} days (${isoDay(facts.validTo)}), fewer than ${minDays}`,
    };
  }
  return { ok: true, detail: `valid for ${hostname}, ${daysLeft} days left (until ${isoDay(facts.validTo)})` };
}
