using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace PetSitter.Email.Testing.Tests.Certificates;

public class TestCertificateAuthorityTests
{
    [Fact]
    public void The_server_certificate_chains_to_its_authority()
    {
        using var authority = TestCertificateAuthority.Create("Chain CA");

        ChainsTo(authority.ServerCertificate, authority.Certificate).Should().BeTrue();
    }

    [Fact]
    public void Another_authoritys_server_certificate_does_not_chain()
    {
        using var authority = TestCertificateAuthority.Create("Mine");
        using var other = TestCertificateAuthority.Create("Theirs");

        ChainsTo(other.ServerCertificate, authority.Certificate).Should().BeFalse();
    }

    [Fact]
    public void The_server_certificate_names_the_loopback_host_and_addresses()
    {
        using var authority = TestCertificateAuthority.Create("Names CA");

        var names = authority.ServerCertificate.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single();

        names.EnumerateDnsNames().Should().Equal("localhost");
        names.EnumerateIPAddresses().Should().BeEquivalentTo([IPAddress.Loopback, IPAddress.IPv6Loopback]);
        authority.ServerCertificate.MatchesHostname("localhost").Should().BeTrue();
    }

    [Fact]
    public void Only_the_server_certificate_carries_a_private_key()
    {
        using var authority = TestCertificateAuthority.Create("Keys CA");

        authority.ServerCertificate.HasPrivateKey.Should().BeTrue();
        authority.Certificate.HasPrivateKey.Should().BeFalse();
    }

    [Fact]
    public void Disposing_the_shared_authority_leaves_it_usable()
    {
        TestCertificateAuthority.Shared.Dispose();

        TestCertificateAuthority.Shared.ServerCertificate.HasPrivateKey.Should().BeTrue();
    }

    private static bool ChainsTo(X509Certificate2 certificate, X509Certificate2 authority)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.ApplicationPolicy.Add(new("1.3.6.1.5.5.7.3.1"));
        return chain.Build(certificate);
    }
}
