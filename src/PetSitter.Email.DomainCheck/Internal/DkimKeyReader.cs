using MimeKit.Cryptography;
using Org.BouncyCastle.Crypto;

namespace PetSitter.Email.DomainCheck;

/// <summary>
/// Finds a DKIM public key in DNS the way MimeKit's verifier would: the TXT record at <c>SELECTOR._domainkey.DOMAIN</c>
/// (through any CNAME the server follows), read by MimeKit's own key-record parser. A key MimeKit cannot read is one
/// receivers cannot verify with either.
/// </summary>
internal sealed class DkimKeyReader : DkimPublicKeyLocatorBase
{
    private readonly SenderDomainLookup _lookup;

    public DkimKeyReader(SenderDomainLookup lookup) => _lookup = lookup;

    /// <inheritdoc />
    /// <exception cref="KeyNotFoundException">No TXT record is published there.</exception>
    /// <exception cref="DnsLookupFailedException">The lookup failed or timed out.</exception>
    public override async Task<AsymmetricKeyParameter> LocatePublicKeyAsync(string methods, string domain, string selector, CancellationToken cancellationToken = default)
    {
        var name = $"{selector}._domainkey.{domain}";
        var records = await _lookup.TxtAsync(name, cancellationToken).ConfigureAwait(false)
            ?? throw new DnsLookupFailedException(_lookup.FailedBecause!);
        if (records.Count == 0)
        {
            throw new KeyNotFoundException($"No DKIM key is published at {name}.");
        }

        return GetPublicKey(records[0]);
    }

    /// <inheritdoc />
    /// <exception cref="NotSupportedException">Always: the diagnosis reads keys asynchronously only.</exception>
    public override AsymmetricKeyParameter LocatePublicKey(string methods, string domain, string selector, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The diagnosis reads DKIM keys with LocatePublicKeyAsync only.");
}

/// <summary>A DNS lookup of the sender-domain check failed or timed out; the message says which and why.</summary>
internal sealed class DnsLookupFailedException : Exception
{
    public DnsLookupFailedException(string message)
        : base(message)
    {
    }
}
