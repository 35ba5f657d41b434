using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Deferral;

/// <summary>How a held email describes itself in a log or a debugger: what it is, when it goes, and why it waits.</summary>
public sealed class DeferredEmailTextTests
{
    [Fact]
    public void A_held_email_names_its_category_business_message_id_due_time_tries_and_what_it_waits_for()
    {
        var email = PetSitter.Email.Tests.Support.PolicyTestData.Email(EmailCategory.Marketing, "paws");
        var held = new DeferredEmail(email, Start + TimeSpan.FromHours(1), Failure(SmtpFailureKind.SendLimitReached), Start, attempts: 2);

        held.ToString().Should().Be(
            $"Marketing email for business 'paws' (Message-ID <{email.Message.MessageId}>) due 2025-03-14T10:00:00.0000000+00:00, tried 2 time(s), waiting because of SendLimitReached");
    }

    [Fact]
    public void A_held_email_shows_nothing_of_the_message_itself()
    {
        var held = Deferred(Start);

        held.ToString().Should().NotContain("Spring offer").And.NotContain("client@example.com").And.NotContain("Bello");
    }
}
