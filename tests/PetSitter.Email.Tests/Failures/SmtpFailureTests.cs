namespace PetSitter.Email.Tests.Failures;

public class SmtpFailureTests
{
    [Fact]
    public void ResetsAfter_is_null_unless_a_quota_sets_it()
    {
        new SmtpFailure(SmtpFailureKind.Transient, false, true, "Retry.").ResetsAfter.Should().BeNull();
    }

    [Fact]
    public void ResetsAfter_carries_the_quota_window()
    {
        var failure = new SmtpFailure(SmtpFailureKind.SendLimitReached, true, true, "Limit reached.") { ResetsAfter = TimeSpan.FromHours(24) };

        failure.ResetsAfter.Should().Be(TimeSpan.FromHours(24));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ResetsAfter_must_be_positive(int seconds)
    {
        var act = () => new SmtpFailure(SmtpFailureKind.SendLimitReached, true, true, "Limit reached.") { ResetsAfter = TimeSpan.FromSeconds(seconds) };

        act.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void The_enhanced_code_is_read_from_the_reply()
    {
        new SmtpFailure(SmtpFailureKind.AuthenticationFailed, true, false, "Wrong password.", SmtpStage.Authenticate, 535, "535: 5.7.8 Username and Password not accepted.")
            .EnhancedStatusCode.Should().Be("5.7.8");
    }
}
