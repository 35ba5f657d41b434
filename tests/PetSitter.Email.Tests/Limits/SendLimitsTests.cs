namespace PetSitter.Email.Tests.Limits;

public class SendLimitsTests
{
    [Fact]
    public void No_limits_is_valid_and_unlimited()
    {
        SendLimits.None.IsUnlimited.Should().BeTrue();
        SendLimits.None.Validate().Should().BeEmpty();
        SendLimits.None.ToString().Should().Be("no limits");
    }

    [Fact]
    public void Each_out_of_range_limit_is_reported_by_its_field_name()
    {
        var limits = new SendLimits
        {
            MessagesPerSecond = 0,
            MessagesPerMinute = -1,
            MessagesPerHour = SendLimits.MaxLimit + 1,
            MessagesPerDay = 0,
            RecipientsPerDay = 0,
            RecipientsPerMessage = 0,
        };

        var errors = limits.Validate("Smtp.Limits.");

        errors.Should().HaveCount(6);
        errors.Should().Contain(error => error.StartsWith("Smtp.Limits.MessagesPerSecond 0 is out of range", StringComparison.Ordinal));
        errors.Should().Contain(error => error.StartsWith("Smtp.Limits.MessagesPerMinute -1", StringComparison.Ordinal));
        errors.Should().Contain(error => error.StartsWith("Smtp.Limits.MessagesPerHour 1000001", StringComparison.Ordinal));
        errors.Should().Contain(error => error.StartsWith("Smtp.Limits.MessagesPerDay 0", StringComparison.Ordinal));
        errors.Should().Contain(error => error.StartsWith("Smtp.Limits.RecipientsPerDay 0", StringComparison.Ordinal));
        errors.Should().Contain(error => error.StartsWith("Smtp.Limits.RecipientsPerMessage 0", StringComparison.Ordinal));
    }

    [Fact]
    public void A_message_larger_than_a_whole_day_allows_is_reported()
    {
        var errors = new SendLimits { RecipientsPerMessage = 600, RecipientsPerDay = 300 }.Validate();

        errors.Should().ContainSingle().Which.Should().Contain("RecipientsPerMessage 600 is more than RecipientsPerDay 300");
    }

    [Fact]
    public void Overrides_replace_only_the_fields_they_set()
    {
        var preset = new SendLimits { MessagesPerSecond = 2, MessagesPerDay = 500, RecipientsPerMessage = 100 };

        var merged = preset.WithOverrides(new SendLimits { MessagesPerDay = 400, MessagesPerHour = 60 });

        merged.Should().Be(new SendLimits { MessagesPerSecond = 2, MessagesPerHour = 60, MessagesPerDay = 400, RecipientsPerMessage = 100 });
        preset.MessagesPerDay.Should().Be(500, "presets are never changed by an override");
    }

    [Fact]
    public void The_bounds_1_and_MaxLimit_are_valid_for_every_limit()
    {
        new SendLimits { MessagesPerSecond = 1, MessagesPerMinute = 1, MessagesPerHour = 1, MessagesPerDay = 1, RecipientsPerDay = 1, RecipientsPerMessage = 1 }
            .Validate().Should().BeEmpty();
        new SendLimits
        {
            MessagesPerSecond = SendLimits.MaxLimit,
            MessagesPerMinute = SendLimits.MaxLimit,
            MessagesPerHour = SendLimits.MaxLimit,
            MessagesPerDay = SendLimits.MaxLimit,
            RecipientsPerDay = SendLimits.MaxLimit,
            RecipientsPerMessage = SendLimits.MaxLimit,
        }.Validate().Should().BeEmpty();
    }

    public static TheoryData<string, SendLimits, SendLimits> OneOverride() => new()
    {
        { "MessagesPerSecond", new SendLimits { MessagesPerSecond = 9 }, Every with { MessagesPerSecond = 9 } },
        { "MessagesPerMinute", new SendLimits { MessagesPerMinute = 9 }, Every with { MessagesPerMinute = 9 } },
        { "MessagesPerHour", new SendLimits { MessagesPerHour = 9 }, Every with { MessagesPerHour = 9 } },
        { "MessagesPerDay", new SendLimits { MessagesPerDay = 9 }, Every with { MessagesPerDay = 9 } },
        { "RecipientsPerDay", new SendLimits { RecipientsPerDay = 9 }, Every with { RecipientsPerDay = 9 } },
        { "RecipientsPerMessage", new SendLimits { RecipientsPerMessage = 9 }, Every with { RecipientsPerMessage = 9 } },
    };

    [Theory]
    [MemberData(nameof(OneOverride))]
    public void An_override_of_one_window_replaces_that_window_and_keeps_every_other(string window, SendLimits overrides, SendLimits expected) =>
        Every.WithOverrides(overrides).Should().Be(expected, "only {0} is overridden", window);

    [Fact]
    public void The_description_names_the_minute_and_hour_windows() =>
        new SendLimits { MessagesPerMinute = 30, MessagesPerHour = 50 }.ToString().Should().Be("30/min, 50/h");

    [Fact]
    public void No_overrides_keep_the_same_instance()
    {
        var preset = ProviderPresets.Gmail.Limits;

        preset.WithOverrides(null).Should().BeSameAs(preset);
        preset.WithOverrides(SendLimits.None).Should().BeSameAs(preset);
    }

    [Fact]
    public void The_description_lists_the_set_limits() =>
        ProviderPresets.Gmail.Limits.ToString().Should().Be("2/s, 500/day, 100 recipients/message");

    /// <summary>Every window set, each to its own value.</summary>
    private static SendLimits Every => new()
    {
        MessagesPerSecond = 2,
        MessagesPerMinute = 30,
        MessagesPerHour = 50,
        MessagesPerDay = 500,
        RecipientsPerDay = 3_000,
        RecipientsPerMessage = 100,
    };
}
