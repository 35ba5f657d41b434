using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using PetSitter.Email.Tests.Support;

namespace PetSitter.Email.Tests.Sending;

/// <summary>An app's own shared breaker (<see cref="IAccountBreaker"/>, registered before <c>AddPetSitterEmail</c>) as the sender reads its verdicts.</summary>
public sealed class EmailSenderOwnBreakerTests
{
    [Fact]
    public async Task A_breaker_that_blocks_with_a_retry_time_already_reached_does_not_make_the_held_email_due_at_once()
    {
        // A shared breaker whose clock is a little behind this process's answers "blocked until now": taken at its word,
        // the email would be due again at once, and go round the dispatcher without a pause.
        var time = new FakeTimeProvider(PolicyTestData.Start);

        // Gmail's wrong-password reply (/work/shared/providers.md, https://support.google.com/mail/?p=BadCredentials).
        var wrongPassword = SmtpFailureClassifier.Classify(new SmtpTransportException(SmtpStage.Authenticate, 535, "5.7.8 Username and Password not accepted."), "smtp.gmail.com");
        var breaker = new BlockedUntilNow(wrongPassword, time);
        var smtp = Substitute.For<ISmtpTransport>();
        var services = new ServiceCollection();
        services.AddSingleton<TimeProvider>(time);
        services.AddTestLogging();
        services.AddSingleton<IBusinessEmailSettingsProvider>(new StaticSettingsProvider(TestData.Business(smtp: TestData.Account())));
        services.AddSingleton(smtp);
        services.AddSingleton<IAccountBreaker>(breaker);
        services.AddPetSitterEmail(options => options.Retry.MaxRetryAttempts = 0);
        services.Replace(ServiceDescriptor.Singleton(Substitute.For<INativeMailer>()));
        await using var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });

        var outcome = await provider.GetRequiredService<IEmailSender>().SendAsync(new OutgoingEmail("paws", EmailCategory.Marketing, TestData.Message("Spring offer")));

        outcome.Status.Should().Be(SendStatus.Deferred);
        outcome.DeferredUntil.Should().Be(time.GetUtcNow() + TimeSpan.FromMinutes(5), "a retry time that is not in the future is no retry time: the default wait applies");
        await smtp.DidNotReceiveWithAnyArgs().SendAsync(default!, default!, default);
    }

    /// <summary>A shared breaker that keeps the account closed with a retry time of its "now", which is ours.</summary>
    private sealed class BlockedUntilNow(SmtpFailure failure, TimeProvider time) : IAccountBreaker
    {
        public ValueTask<AccountGate> CheckAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken) =>
            new(AccountGate.Blocked(failure, time.GetUtcNow()));

        public ValueTask RecordSuccessAsync(string businessId, string credentialFingerprint, DateTimeOffset now, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        public ValueTask RecordFailureAsync(string businessId, string credentialFingerprint, SmtpFailure failure, DateTimeOffset now, DateTimeOffset? resetsAt, CancellationToken cancellationToken) =>
            ValueTask.CompletedTask;
    }
}
