using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Health;

/// <summary>The public <see cref="AccountGate"/> as an app's own breaker builds it.</summary>
public sealed class AccountGateTests
{
    [Fact]
    public void Pausing_marketing_on_a_closed_gate_leaves_it_closed_for_every_category()
    {
        var wrongPassword = Failure(SmtpFailureKind.AuthenticationFailed);
        var spam = Failure(SmtpFailureKind.RejectedAsSpam, accountLevel: true);
        var blocked = AccountGate.Blocked(wrongPassword, Start.AddHours(6));

        var gate = AccountGate.WithoutMarketing(blocked, spam, Start.AddDays(1));

        gate.Should().Be(blocked);
        gate.For(EmailCategory.Invoice).IsAllowed.Should().BeFalse("the wrong password keeps SMTP closed, not only for marketing");
        gate.For(EmailCategory.Invoice).Failure.Should().BeSameAs(wrongPassword);
    }
}
