using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PetSitter.Email.Tests.Support;
using static PetSitter.Email.Tests.Support.PolicyTestData;

namespace PetSitter.Email.Tests.Deferral;

/// <summary>
/// What the app's own dispatch call reports: an app that shows "n held emails handled" reads <see cref="DeferredDispatchResult.Taken"/>,
/// which must count every email taken whatever became of it.
/// </summary>
public sealed class DeferredDispatchResultTests
{
    private readonly FakeTimeProvider _time = new(Start);
    private readonly InMemoryDeferredEmailQueue _queue = new();

    [Fact]
    public async Task The_dispatch_result_counts_every_email_taken_whatever_became_of_it()
    {
        var sent = Deferred(Start);
        var again = Deferred(Start);
        var refused = Deferred(Start);
        var uncertain = Deferred(Start);
        foreach (var item in new[] { sent, again, refused, uncertain })
        {
            await _queue.EnqueueAsync(item, CancellationToken.None);
        }

        var resender = new Resender(item =>
            ReferenceEquals(item, sent) ? SendOutcome.Sent(item.Email, EmailChannel.Smtp, EmailChannel.Smtp, new DeliveryReceipt("smtp.paws.example:587", "250 OK"))
            : ReferenceEquals(item, again) ? SendOutcome.Deferred(item.Email, EmailChannel.Smtp, Start.AddHours(1), Failure(SmtpFailureKind.SendLimitReached))
            : ReferenceEquals(item, refused) ? SendOutcome.Failed(item.Email, EmailChannel.Smtp, EmailChannel.Smtp, "The client's email address does not exist.", Failure(SmtpFailureKind.RecipientRejected))
            : SendOutcome.Uncertain(item.Email, EmailChannel.Smtp, EmailChannel.Smtp, Failure(SmtpFailureKind.Transient)));
        IDeferredEmailDispatcher dispatcher = new DeferredEmailDispatcher(
            _queue, resender, [], Options.Create(new FallbackPolicyOptions()), _time, TestLogging.For<DeferredEmailDispatcher>());

        var result = await dispatcher.DispatchDueAsync(CancellationToken.None);

        (result.Sent, result.Deferred, result.Failed, result.DeliveryUncertain).Should().Be((1, 1, 1, 1));
        result.Taken.Should().Be(4);
        result.ToString().Should().StartWith("4 due email(s) taken:");
    }

    private sealed class Resender(Func<DeferredEmail, SendOutcome> script) : IDeferredEmailResender
    {
        public Task<SendOutcome> ResendAsync(DeferredEmail item, CancellationToken cancellationToken) => Task.FromResult(script(item));
    }
}
