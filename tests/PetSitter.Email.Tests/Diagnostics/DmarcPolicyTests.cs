using PetSitter.Email.DomainCheck;

namespace PetSitter.Email.Tests.Diagnostics;

/// <summary>How a DMARC record's tag list is read (RFC 7489 section 6.3; the records are the RFC's own examples and forms).</summary>
public sealed class DmarcPolicyTests
{
    [Theory]
    [InlineData("v=DMARC1; p=none; rua=mailto:dmarc-feedback@example.com", "none", false, false)]
    [InlineData("v=DMARC1; p=quarantine; adkim=s", "quarantine", true, false)]
    [InlineData("v=DMARC1;p=reject;aspf=s;adkim=r", "reject", false, true)]
    [InlineData("v=DMARC1; p=Reject; pct=100", "reject", false, false)]
    public void A_record_with_a_policy_is_read_with_its_alignment(string record, string policy, bool strictDkim, bool strictSpf)
    {
        DmarcPolicy.IsDmarcRecord(record).Should().BeTrue();
        DmarcPolicy.Read(record).Should().Be(new DmarcPolicy(policy, strictDkim, strictSpf));
    }

    [Theory]
    [InlineData("v=DMARC1; rua=mailto:dmarc@example.com")]
    [InlineData("v=DMARC1; p=block")]
    [InlineData("p=reject; v=DMARC1")]
    [InlineData("v=spf1 include:_spf.google.com ~all")]
    public void A_record_without_a_valid_policy_or_not_starting_with_v_dmarc1_gives_none(string record) =>
        DmarcPolicy.Read(record).Should().BeNull();

    [Fact]
    public void Only_a_record_whose_first_tag_is_v_dmarc1_counts_as_dmarc() =>
        new[] { "v=DMARC1; p=none", "v=spf1 -all", "google-site-verification=abc", "p=none; v=DMARC1" }
            .Where(DmarcPolicy.IsDmarcRecord).Should().Equal("v=DMARC1; p=none");
}
