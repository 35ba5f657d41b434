namespace PetSitter.Email.Tests.Fallback;

public class FallbackPolicyOptionsValidatorTests
{
    private static readonly FallbackPolicyOptionsValidator Validator = new();

    [Fact]
    public void Default_options_are_valid()
    {
        Validator.Validate(null, new FallbackPolicyOptions()).Succeeded.Should().BeTrue();
    }

    [Fact]
    public void Defaults_are_the_documented_ones()
    {
        var options = new FallbackPolicyOptions();

        options.MaxDeferredAttempts.Should().Be(10);
        options.MaxDeferral.Should().Be(TimeSpan.FromDays(3));
        options.DeferredRetryDelay.Should().Be(TimeSpan.FromMinutes(5));
        options.DeferredPollInterval.Should().Be(TimeSpan.FromSeconds(30));
        options.DeferredBatchSize.Should().Be(100);
        options.MaxInMemoryDeferred.Should().Be(10_000);
    }

    [Theory]
    [InlineData("Marketing")]
    [InlineData("General")]
    [InlineData("Quote")]
    [InlineData("Invoice")]
    [InlineData("AccountSummary")]
    [InlineData("SystemNotification")]
    public void An_undefined_action_is_named_with_the_choices(string property)
    {
        var options = new FallbackPolicyOptions();
        typeof(FallbackPolicyOptions).GetProperty(property)!.SetValue(options, (SmtpFallbackAction)0);

        var result = Validator.Validate(null, options);

        result.Failures.Should().ContainSingle().Which.Should().Be($"{property}: FallbackPolicyOptions.{property} is not a fallback action: use SendNative or Defer.");
    }

    public static TheoryData<Action<FallbackPolicyOptions>, string> OutOfRange => new()
    {
        { o => o.MaxDeferredAttempts = 0, "MaxDeferredAttempts: The field FallbackPolicyOptions.MaxDeferredAttempts must be between 1 and 1000." },
        { o => o.MaxDeferredAttempts = 1001, "MaxDeferredAttempts: The field FallbackPolicyOptions.MaxDeferredAttempts must be between 1 and 1000." },
        { o => o.DeferredBatchSize = 0, "DeferredBatchSize: The field FallbackPolicyOptions.DeferredBatchSize must be between 1 and 10000." },
        { o => o.MaxInMemoryDeferred = 0, "MaxInMemoryDeferred: The field FallbackPolicyOptions.MaxInMemoryDeferred must be between 1 and 1000000." },
        { o => o.MaxInMemoryDeferred = 1_000_001, "MaxInMemoryDeferred: The field FallbackPolicyOptions.MaxInMemoryDeferred must be between 1 and 1000000." },
        { o => o.MaxDeferral = TimeSpan.FromSeconds(30), "MaxDeferral: The field FallbackPolicyOptions.MaxDeferral must be between 00:01:00 and 30.00:00:00." },
        { o => o.DeferredRetryDelay = TimeSpan.Zero, "DeferredRetryDelay: The field FallbackPolicyOptions.DeferredRetryDelay must be between 00:00:01 and 1.00:00:00." },
        { o => o.DeferredPollInterval = TimeSpan.FromHours(2), "DeferredPollInterval: The field FallbackPolicyOptions.DeferredPollInterval must be between 00:00:01 and 01:00:00." },
    };

    [Theory]
    [MemberData(nameof(OutOfRange))]
    public void Each_option_out_of_range_is_named_with_its_range(Action<FallbackPolicyOptions> change, string expected)
    {
        var options = new FallbackPolicyOptions();
        change(options);

        Validator.Validate(null, options).Failures.Should().Equal(expected);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var options = new FallbackPolicyOptions { Marketing = (SmtpFallbackAction)9, MaxDeferredAttempts = -1, MaxDeferral = TimeSpan.Zero };

        Validator.Validate(null, options).Failures.Should().HaveCount(3);
    }
}
