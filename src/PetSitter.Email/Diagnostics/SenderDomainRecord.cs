namespace PetSitter.Email;

/// <summary>The DNS records of the From domain that receivers check before they trust an email (see <see cref="SenderDomainFinding"/>).</summary>
public enum SenderDomainRecord
{
    /// <summary>SPF (RFC 7208): the TXT record at the domain naming the servers allowed to send its mail.</summary>
    Spf = 1,

    /// <summary>DKIM (RFC 6376): the public key at <c>SELECTOR._domainkey.DOMAIN</c> that receivers check the provider's signature with.</summary>
    Dkim = 2,

    /// <summary>DMARC (RFC 7489): the TXT record at <c>_dmarc.DOMAIN</c> telling receivers what to do with mail that fails SPF and DKIM.</summary>
    Dmarc = 3,
}
