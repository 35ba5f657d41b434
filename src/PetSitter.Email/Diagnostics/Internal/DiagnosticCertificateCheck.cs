using System.Globalization;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// The transport's <see cref="SmtpCertificateValidator"/> (always validating, extra roots only from the
/// account) plus a note of which certificate the server presented, for the report's evidence.
/// </summary>
internal sealed class DiagnosticCertificateCheck
{
    public DiagnosticCertificateCheck(string host, IReadOnlyList<X509Certificate2> trustedAuthorities)
    {
        Validator = new SmtpCertificateValidator(host, trustedAuthorities);
    }

    public SmtpCertificateValidator Validator { get; }

    /// <summary>Gets whether the server presented a certificate at all, which shows it speaks TLS.</summary>
    public bool Presented { get; private set; }

    public string? Subject { get; private set; }

    public string? Issuer { get; private set; }

    public DateTimeOffset? NotAfter { get; private set; }

    /// <summary>The callback handed to MailKit: records the certificate, then lets the validator judge it.</summary>
    public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
    {
        if (certificate is not null)
        {
            Presented = true;
            using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
            var dnsName = leaf.GetNameInfo(X509NameType.DnsName, forIssuer: false);
            Subject = string.IsNullOrEmpty(dnsName) ? leaf.Subject : dnsName;
            Issuer = leaf.GetNameInfo(X509NameType.SimpleName, forIssuer: true);
            NotAfter = new DateTimeOffset(leaf.NotAfter.ToUniversalTime(), TimeSpan.Zero);
        }

        return Validator.Validate(sender, certificate, chain, errors);
    }

    /// <summary>Describes the certificate, for example "certificate for smtp.gmail.com from WR2, valid until 2027-01-05".</summary>
    public string Describe() =>
        Presented
            ? string.Create(CultureInfo.InvariantCulture, $"certificate for {Subject} from {Issuer}, valid until {NotAfter:yyyy-MM-dd}")
            : "no certificate";
}
