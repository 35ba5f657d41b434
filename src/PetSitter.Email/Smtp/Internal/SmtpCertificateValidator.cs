using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PetSitter.Email.Smtp;

/// <summary>
/// Validates an SMTP server's certificate for one connection: the system's verdict first, then, when
/// the account trusts extra certificate authorities, the chain again with those as roots. There is no
/// way to turn validation off. Records why a certificate was refused so the failure can say so.
/// </summary>
internal sealed class SmtpCertificateValidator
{
    private static readonly Oid ServerAuthentication = new("1.3.6.1.5.5.7.3.1", "Server Authentication");

    private readonly string _host;
    private readonly IReadOnlyList<X509Certificate2> _trustedAuthorities;

    public SmtpCertificateValidator(string host, IReadOnlyList<X509Certificate2> trustedAuthorities)
    {
        _host = host;
        _trustedAuthorities = trustedAuthorities;
    }

    /// <summary>Gets why the last certificate was refused, or <see langword="null"/> when none was.</summary>
    public string? FailureReason { get; private set; }

    /// <summary>The <see cref="RemoteCertificateValidationCallback"/> handed to MailKit.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        FailureReason = Evaluate(_host, certificate, chain, errors, _trustedAuthorities);
        return FailureReason is null;
    }

    /// <summary>Returns why the certificate must be refused, or <see langword="null"/> when it is trusted.</summary>
    internal static string? Evaluate(string host, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, IReadOnlyList<X509Certificate2> trustedAuthorities)
    {
        if (errors == SslPolicyErrors.None)
        {
            return null;
        }

        if (certificate is null || errors.HasFlag(SslPolicyErrors.RemoteCertificateNotAvailable))
        {
            return "the server presented no certificate.";
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        if (errors.HasFlag(SslPolicyErrors.RemoteCertificateNameMismatch))
        {
            // Extra roots widen whom we trust, never which host a certificate may speak for.
            return $"it was issued to '{NamesOf(leaf)}', which does not match the host name '{host}'.";
        }

        if (trustedAuthorities.Count == 0)
        {
            return DescribeChainProblem(leaf, chain?.ChainStatus ?? [], extraAuthorities: false);
        }

        return EvaluateWithAccountAuthorities(leaf, chain, trustedAuthorities);
    }

    private static string? EvaluateWithAccountAuthorities(X509Certificate2 leaf, X509Chain? presented, IReadOnlyList<X509Certificate2> trustedAuthorities)
    {
        using var chain = new X509Chain();
        var policy = chain.ChainPolicy;
        policy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        foreach (var authority in trustedAuthorities)
        {
            policy.CustomTrustStore.Add(authority);
        }

        if (presented is not null)
        {
            // Intermediates the server sent (the system's chain holds them) let the chain reach our root.
            policy.ExtraStore.AddRange(presented.ChainPolicy.ExtraStore);
            foreach (var element in presented.ChainElements)
            {
                policy.ExtraStore.Add(element.Certificate);
            }
        }

        policy.ApplicationPolicy.Add(ServerAuthentication);

        // A private authority seldom publishes revocation lists: a revoked certificate is refused, an
        // unknown revocation status is not (the system path keeps MailKit's online checking).
        policy.RevocationMode = X509RevocationMode.Online;
        policy.RevocationFlag = X509RevocationFlag.ExcludeRoot;
        policy.UrlRetrievalTimeout = TimeSpan.FromSeconds(10);
        policy.VerificationFlags = X509VerificationFlags.IgnoreCertificateAuthorityRevocationUnknown
            | X509VerificationFlags.IgnoreEndRevocationUnknown;

        if (chain.Build(leaf))
        {
            return null;
        }

        return DescribeChainProblem(leaf, chain.ChainStatus, extraAuthorities: true);
    }

    private static string DescribeChainProblem(X509Certificate2 leaf, X509ChainStatus[] statuses, bool extraAuthorities)
    {
        var flags = X509ChainStatusFlags.NoError;
        foreach (var status in statuses)
        {
            flags |= status.Status;
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotTimeValid))
        {
            return string.Create(CultureInfo.InvariantCulture, $"it has expired or is not yet valid (valid from {leaf.NotBefore.ToUniversalTime():u} to {leaf.NotAfter.ToUniversalTime():u}).");
        }

        if (flags.HasFlag(X509ChainStatusFlags.Revoked))
        {
            return "it has been revoked by its issuer.";
        }

        if (flags.HasFlag(X509ChainStatusFlags.NotValidForUsage) || flags.HasFlag(X509ChainStatusFlags.InvalidExtension))
        {
            return "it is not valid for a server (wrong key usage).";
        }

        if (flags.HasFlag(X509ChainStatusFlags.UntrustedRoot) || flags.HasFlag(X509ChainStatusFlags.PartialChain))
        {
            return extraAuthorities
                ? $"it chains to an untrusted root: issued by '{leaf.Issuer}', which is neither trusted by the system nor one of the account's TrustedCertificateAuthorities."
                : $"it chains to an untrusted root: issued by '{leaf.Issuer}', which the system does not trust (a private authority can be added to the account's TrustedCertificateAuthorities).";
        }

        var details = string.Join("; ", statuses.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return details.Length > 0 ? $"its chain is invalid: {details}" : "its chain could not be validated.";
    }

    private static string NamesOf(X509Certificate2 certificate)
    {
        var dnsName = certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
        return string.IsNullOrEmpty(dnsName) ? certificate.Subject : dnsName;
    }
}
