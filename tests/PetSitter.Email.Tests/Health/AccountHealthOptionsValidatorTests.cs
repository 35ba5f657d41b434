namespace PetSitter.Email.Tests.Health;

public class AccountHealthOptionsValidatorTests
{
    private static readonly AccountHealthOptionsValidator Validator = new();

    [Fact]
    public void Default_options_are_valid_and_documented()
    {
        var options = new AccountHealthOptions();

        Validator.Validate(null, options).Succeeded.Should().BeTrue();
        options.CredentialProbeInterval.Should().Be(TimeSpan.FromHours(6));
        options.InitialProbeInterval.Should().Be(TimeSpan.FromMinutes(1));
        options.MaxProbeInterval.Should().Be(TimeSpan.FromHours(1));
        options.DefaultThrottleDuration.Should().Be(TimeSpan.FromHours(1));
        options.ProbeTimeout.Should().Be(TimeSpan.FromMinutes(5));
    }

    public static TheoryData<Action<AccountHealthOptions>, string> Invalid => new()
    {
        { o => o.CredentialProbeInterval = TimeSpan.FromSeconds(5), "AccountHealthOptions.CredentialProbeInterval 00:00:05 is out of range: use 00:01:00 to 7.00:00:00." },
        { o => (o.InitialProbeInterval, o.MaxProbeInterval) = (TimeSpan.FromHours(2), TimeSpan.FromHours(3)), "AccountHealthOptions.InitialProbeInterval 02:00:00 is out of range: use 00:00:01 to 01:00:00." },
        { o => o.MaxProbeInterval = TimeSpan.FromDays(2), "AccountHealthOptions.MaxProbeInterval 2.00:00:00 is out of range: use 00:00:01 to 1.00:00:00." },
        { o => o.MaxProbeInterval = TimeSpan.FromSeconds(30), "AccountHealthOptions.MaxProbeInterval 00:00:30 is shorter than InitialProbeInterval 00:01:00: make it at least as long." },
        { o => o.DefaultThrottleDuration = TimeSpan.Zero, "AccountHealthOptions.DefaultThrottleDuration 00:00:00 is out of range: use 00:01:00 to 1.00:00:00." },
        { o => o.ProbeTimeout = TimeSpan.FromSeconds(1), "AccountHealthOptions.ProbeTimeout 00:00:01 is out of range: use 00:00:10 to 01:00:00." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_invalid_option_is_named_with_the_fix(Action<AccountHealthOptions> change, string expected)
    {
        var options = new AccountHealthOptions();
        change(options);

        Validator.Validate(null, options).Failures.Should().Equal(expected);
    }
}
