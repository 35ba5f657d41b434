namespace PetSitter.Email.Tests.Routing;

public class EmailRouterTests
{
    public static TheoryData<bool, bool, bool, EmailCategory, EmailChannel> RoutingTable()
    {
        // (smtp configured, smtp enabled, only direct emails, category) -> channel: every row x every category.
        var data = new TheoryData<bool, bool, bool, EmailCategory, EmailChannel>();
        foreach (var category in Enum.GetValues<EmailCategory>())
        {
            var direct = category is EmailCategory.Marketing or EmailCategory.General;
            foreach (var onlyDirect in new[] { false, true })
            {
                data.Add(false, true, onlyDirect, category, EmailChannel.Native);  // no SMTP configured
                data.Add(true, false, onlyDirect, category, EmailChannel.Native);  // SMTP disabled
            }

            data.Add(true, true, false, category, EmailChannel.Smtp);
            data.Add(true, true, true, category, direct ? EmailChannel.Smtp : EmailChannel.Native);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RoutingTable))]
    public void Route_follows_the_routing_table(bool smtpConfigured, bool smtpEnabled, bool onlyDirect, EmailCategory category, EmailChannel expected)
    {
        var settings = new BusinessEmailSettings
        {
            BusinessId = "b1",
            BusinessName = "Paws",
            ReplyToAddress = "hello@paws.example",
            Smtp = smtpConfigured ? new SmtpAccountSettings { Host = "smtp.paws.example", FromAddress = "hello@paws.example" } : null,
            SmtpEnabled = smtpEnabled,
            OnlyUseSmtpForDirectEmails = onlyDirect,
        };

        EmailRouter.Route(settings, category).Should().Be(expected);
    }

    [Theory]
    [InlineData(EmailCategory.Quote)]
    [InlineData(EmailCategory.Invoice)]
    [InlineData(EmailCategory.AccountSummary)]
    [InlineData(EmailCategory.SystemNotification)]
    public void Documents_go_native_when_only_direct_emails_is_on(EmailCategory category) =>
        EmailRouter.Route(smtpInUse: true, onlyDirectEmails: true, category).Should().Be(EmailChannel.Native);

    [Theory]
    [InlineData(EmailCategory.Marketing)]
    [InlineData(EmailCategory.General)]
    public void Direct_mail_stays_on_smtp_when_only_direct_emails_is_on(EmailCategory category) =>
        EmailRouter.Route(smtpInUse: true, onlyDirectEmails: true, category).Should().Be(EmailChannel.Smtp);

    [Theory]
    [InlineData(0)]
    [InlineData(7)]
    [InlineData(-1)]
    public void An_undefined_category_is_refused_with_the_valid_names(int value)
    {
        var act = () => EmailRouter.Route(smtpInUse: true, onlyDirectEmails: false, (EmailCategory)value);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*Marketing, General, Quote, Invoice*");
    }

    [Fact]
    public void Routing_allocates_nothing()
    {
        var settings = new BusinessEmailSettings
        {
            BusinessId = "b1",
            BusinessName = "Paws",
            ReplyToAddress = "hello@paws.example",
            Smtp = new SmtpAccountSettings { Host = "smtp.paws.example", FromAddress = "hello@paws.example" },
            OnlyUseSmtpForDirectEmails = true,
        };
        EmailRouter.Route(settings, EmailCategory.Invoice);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
        {
            EmailRouter.Route(settings, (EmailCategory)((i % 6) + 1));
        }

        (GC.GetAllocatedBytesForCurrentThread() - before).Should().Be(0);
    }
}
