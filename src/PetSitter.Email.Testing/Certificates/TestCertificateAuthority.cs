using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace PetSitter.Email.Testing;

/// <summary>
/// A private certificate authority made for tests, with a server certificate it issued for
/// <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c>. Trust it per account by adding
/// <see cref="Certificate"/> to <see cref="SmtpAccountSettings.TrustedCertificateAuthorities"/>; nothing is
/// installed in any certificate store.
/// </summary>
/// <remarks>
/// Every authority has its own key, so a client that trusts one rejects the certificates of another: use
/// <see cref="Create"/> for a server whose certificate must not be trusted.
/// Keys are ECDSA P-256, which are quick to make. Certificates are valid from a day before creation for a
/// year: TLS checks them against the real clock, not a test's <see cref="TimeProvider"/>.
/// </remarks>
public sealed class TestCertificateAuthority : IDisposable
{
    private static readonly Lazy<TestCertificateAuthority> SharedAuthority = new(() => Create("PetSitter.Email Test CA"));

    private TestCertificateAuthority(X509Certificate2 certificate, X509Certificate2 serverCertificate)
    {
        Certificate = certificate;
        ServerCertificate = serverCertificate;
    }

    /// <summary>
    /// Gets the authority servers use unless told otherwise, made once per process and never disposed.
    /// </summary>
    public static TestCertificateAuthority Shared => SharedAuthority.Value;

    /// <summary>Gets the authority's own certificate, without its private key: the root a client trusts.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>
    /// Gets the server certificate the authority issued for <c>localhost</c>, <c>127.0.0.1</c> and <c>::1</c>,
    /// with its private key.
    /// </summary>
    public X509Certificate2 ServerCertificate { get; }

    /// <summary>Creates a new authority with its own key and a server certificate issued by it.</summary>
    /// <param name="name">The authority's common name, shown in certificate errors.</param>
    /// <returns>The new authority. Dispose it when done.</returns>
    public static TestCertificateAuthority Create(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var now = TimeProvider.System.GetUtcNow();
        var notBefore = now.AddDays(-1);
        var notAfter = now.AddYears(1);

        using var authorityKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var authorityRequest = new CertificateRequest(new X500DistinguishedName($"CN={name}, O=PetSitter.Email tests"), authorityKey, HashAlgorithmName.SHA256);
        authorityRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        authorityRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(authorityRequest.PublicKey, critical: false));
        using var authority = authorityRequest.CreateSelfSigned(notBefore, notAfter);

        using var serverKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var serverRequest = new CertificateRequest(new X500DistinguishedName("CN=localhost, O=PetSitter.Email tests"), serverKey, HashAlgorithmName.SHA256);
        serverRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: false, hasPathLengthConstraint: false, pathLengthConstraint: 0, critical: true));
        serverRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        serverRequest.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication")], critical: false));
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        serverRequest.CertificateExtensions.Add(names.Build());
        serverRequest.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(serverRequest.PublicKey, critical: false));
        serverRequest.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));

        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F; // a positive serial number, as RFC 5280 asks
        using var issued = serverRequest.Create(authority, notBefore, notAfter, serial);
        using var issuedWithKey = issued.CopyWithPrivateKey(serverKey);

        // Round-tripping through PKCS#12 gives a key that SslStream can use on every platform (Windows refuses
        // ephemeral keys for a server certificate).
        var serverCertificate = X509CertificateLoader.LoadPkcs12(issuedWithKey.Export(X509ContentType.Pkcs12), password: null);
        var authorityCertificate = X509CertificateLoader.LoadCertificate(authority.RawData);
        return new TestCertificateAuthority(authorityCertificate, serverCertificate);
    }

    /// <summary>Releases both certificates. Does nothing for <see cref="Shared"/>, which lives as long as the process.</summary>
    public void Dispose()
    {
        if (SharedAuthority.IsValueCreated && ReferenceEquals(this, SharedAuthority.Value))
        {
            return;
        }

        Certificate.Dispose();
        ServerCertificate.Dispose();
    }

    /// <inheritdoc />
    public override string ToString() => Certificate.Subject;
}
