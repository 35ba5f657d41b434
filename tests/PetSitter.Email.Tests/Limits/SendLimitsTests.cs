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
    public void No_overrides_keep_the_same_instance()
    {
        var preset = ProviderPresets.Gmail.Limits;

        preset.WithOverrides(null).Should().BeSameAs(preset);
        preset.WithOverrides(SendLimits.None).Should().BeSameAs(preset);
    }

    [Fact]
    public void The_description_lists_the_set_limits() =>
        ProviderPresets.Gmail.Limits.ToString().Should().Be("2/s, 500/day, 100 recipients/message");
}
