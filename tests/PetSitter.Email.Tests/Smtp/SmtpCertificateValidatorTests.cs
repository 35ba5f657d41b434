using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace PetSitter.Email.Tests.Smtp;

public sealed class SmtpCertificateValidatorTests : IDisposable
{
    private readonly X509Certificate2 _authority = TestCertificates.CreateAuthority("PetSitter Test CA");
    private readonly X509Certificate2 _otherAuthority = TestCertificates.CreateAuthority("Somebody Else's CA");

    [Fact]
    public void A_certificate_the_system_trusts_is_accepted()
    {
        using var leaf = TestCertificates.CreateServer(_authority, "smtp.paws.example");

        SmtpCertificateValidator.Evaluate("smtp.paws.example", leaf, null, SslPolicyErrors.None, []).Should().BeNull();
    }

    [Fact]
    public void A_private_certificate_is_refused_as_untrusted_when_the_account_trusts_no_extra_authority()
    {
        using var leaf = TestCertificates.CreateServer(_authority, "smtp.paws.example");
        using var chain = TestCertificates.SystemChain(leaf);

        var reason = SmtpCertificateValidator.Evaluate("smtp.paws.example", leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors, []);

        reason.Should().Contain("untrusted root").And.Contain("PetSitter Test CA").And.Contain("TrustedCertificateAuthorities");
    }

    [Fact]
    public void A_private_certificate_is_accepted_when_its_authority_is_trusted_by_the_account()
    {
        using var leaf = TestCertificates.CreateServer(_authority, "smtp.paws.example");
        using var chain = TestCertificates.SystemChain(leaf);

        SmtpCertificateValidator.Evaluate("smtp.paws.example", leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors, [_authority]).Should().BeNull();
    }

    [Fact]
    public void A_certificate_from_another_authority_is_refused_even_when_the_account_trusts_one()
    {
        using var leaf = TestCertificates.CreateServer(_otherAuthority, "smtp.paws.example");
        using var chain = TestCertificates.SystemChain(leaf);

        var reason = SmtpCertificateValidator.Evaluate("smtp.paws.example", leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors, [_authority]);

        reason.Should().Contain("untrusted root").And.Contain("Somebody Else's CA");
    }

    [Fact]
    public void A_name_mismatch_is_refused_even_with_a_trusted_authority()
    {
        using var leaf = TestCertificates.CreateServer(_authority, "other.example");
        using var chain = TestCertificates.SystemChain(leaf);

        var reason = SmtpCertificateValidator.Evaluate(
            "smtp.paws.example", leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors | SslPolicyErrors.RemoteCertificateNameMismatch, [_authority]);

        reason.Should().Contain("other.example").And.Contain("does not match the host name 'smtp.paws.example'");
    }

    [Fact]
    public void An_expired_certificate_is_refused_as_expired()
    {
        var now = DateTimeOffset.UtcNow;
        using var leaf = TestCertificates.CreateServer(_authority, "smtp.paws.example", now.AddDays(-30), now.AddDays(-1));
        using var chain = TestCertificates.SystemChain(leaf);

        var reason = SmtpCertificateValidator.Evaluate("smtp.paws.example", leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors, [_authority]);

        reason.Should().Contain("expired");
    }

    [Fact]
    public void No_certificate_at_all_is_refused()
    {
        SmtpCertificateValidator.Evaluate("smtp.paws.example", null, null, SslPolicyErrors.RemoteCertificateNotAvailable, [_authority])
            .Should().Contain("no certificate");
    }

    [Fact]
    public void The_callback_records_why_it_refused()
    {
        using var leaf = TestCertificates.CreateServer(_otherAuthority, "smtp.paws.example");
        using var chain = TestCertificates.SystemChain(leaf);
        var validator = new SmtpCertificateValidator("smtp.paws.example", [_authority]);

        validator.Validate(this, leaf, chain, SslPolicyErrors.RemoteCertificateChainErrors).Should().BeFalse();
        validator.FailureReason.Should().Contain("untrusted root");
    }

    [Fact]
    public void Thumbprints_do_not_depend_on_the_order_of_the_authorities()
    {
        CertificateThumbprints.Of([_authority, _otherAuthority])
            .Should().Be(CertificateThumbprints.Of([_otherAuthority, _authority]))
            .And.NotBe(CertificateThumbprints.Of([_authority]));
        CertificateThumbprints.Of([]).Should().BeEmpty();
    }

    public void Dispose()
    {
        _authority.Dispose();
        _otherAuthority.Dispose();
    }
}
