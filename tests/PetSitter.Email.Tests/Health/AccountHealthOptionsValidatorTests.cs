namespace PetSitter.Email.Tests.Health;

public class AccountHealthOptionsValidatorTests
{
    private static readonly AccountHealthOptionsValidator FieldValidator = new();
    private static readonly AccountHealthOptionsCustomValidator CrossFieldValidator = new();

    [Fact]
    public void Default_options_are_valid_and_documented()
    {
        var options = new AccountHealthOptions();

        FieldValidator.Validate(null, options).Succeeded.Should().BeTrue();
        CrossFieldValidator.Validate(null, options).Succeeded.Should().BeTrue();
        options.CredentialProbeInterval.Should().Be(TimeSpan.FromHours(6));
        options.InitialProbeInterval.Should().Be(TimeSpan.FromMinutes(1));
        options.MaxProbeInterval.Should().Be(TimeSpan.FromHours(1));
        options.DefaultThrottleDuration.Should().Be(TimeSpan.FromHours(1));
        options.ProbeTimeout.Should().Be(TimeSpan.FromMinutes(5));
    }

    public static TheoryData<Action<AccountHealthOptions>, string> Invalid => new()
    {
        { o => o.CredentialProbeInterval = TimeSpan.FromSeconds(5), "CredentialProbeInterval: The field AccountHealthOptions.CredentialProbeInterval must be between 00:01:00 and 7.00:00:00." },
        { o => (o.InitialProbeInterval, o.MaxProbeInterval) = (TimeSpan.FromHours(2), TimeSpan.FromHours(3)), "InitialProbeInterval: The field AccountHealthOptions.InitialProbeInterval must be between 00:00:01 and 01:00:00." },
        { o => o.MaxProbeInterval = TimeSpan.FromDays(2), "MaxProbeInterval: The field AccountHealthOptions.MaxProbeInterval must be between 00:00:01 and 1.00:00:00." },
        { o => o.MaxProbeInterval = TimeSpan.FromSeconds(30), "AccountHealthOptions.MaxProbeInterval 00:00:30 is shorter than InitialProbeInterval 00:01:00: make it at least as long." },
        { o => o.DefaultThrottleDuration = TimeSpan.Zero, "DefaultThrottleDuration: The field AccountHealthOptions.DefaultThrottleDuration must be between 00:01:00 and 1.00:00:00." },
        { o => o.ProbeTimeout = TimeSpan.FromSeconds(1), "ProbeTimeout: The field AccountHealthOptions.ProbeTimeout must be between 00:00:10 and 01:00:00." },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Each_invalid_option_is_named_with_the_fix(Action<AccountHealthOptions> change, string expected)
    {
        var options = new AccountHealthOptions();
        change(options);

        new[] { FieldValidator.Validate(null, options), CrossFieldValidator.Validate(null, options) }
            .SelectMany(result => result.Failures ?? []).Should().Equal(expected);
    }
}
