namespace PetSitter.Email.Tests.Telemetry;

/// <summary>Telemetry nobody collects must cost the send path nothing it can measure: no allocation.</summary>
[Collection(TelemetryListeners.Name)]
public sealed class QuietTelemetryTests
{
    private const int Sends = 10_000;

    [Fact]
    public void Every_hook_of_a_send_allocates_nothing_when_nobody_listens()
    {
        using var telemetry = new EmailTelemetry(meterFactory: null, TimeProvider.System);
        var email = new OutgoingEmail("paws", EmailCategory.Invoice, Support.TestData.Message());
        var failure = new SmtpFailure(SmtpFailureKind.AuthenticationFailed, isAccountLevel: true, isTransient: false, "Check the password.", SmtpStage.Authenticate, 535);
        var sent = SendOutcome.Sent(email, EmailChannel.Native, EmailChannel.Smtp, new DeliveryReceipt("/var/spool/x.eml"), failure);
        RunHooks(telemetry, email, failure, sent, 100);

        var before = GC.GetAllocatedBytesForCurrentThread();
        RunHooks(telemetry, email, failure, sent, Sends);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        allocated.Should().Be(0, $"{Sends} sends' worth of hooks ran with no listener");
    }

    [Fact]
    public void The_hooks_do_record_once_someone_listens()
    {
        // The control for the test above: the same loop is not silent because it skips its work.
        using var telemetry = new EmailTelemetry(meterFactory: null, TimeProvider.System);
        using var sends = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(telemetry.Sends);
        var email = new OutgoingEmail("paws", EmailCategory.Invoice, Support.TestData.Message());
        var failure = new SmtpFailure(SmtpFailureKind.Transient, isAccountLevel: false, isTransient: true, "Try again.");
        var sent = SendOutcome.Sent(email, EmailChannel.Smtp, EmailChannel.Smtp, new DeliveryReceipt("smtp.paws.example:587"));

        RunHooks(telemetry, email, failure, sent, 3);

        sends.GetMeasurementSnapshot().Should().HaveCount(3);
    }

    private static void RunHooks(EmailTelemetry telemetry, OutgoingEmail email, SmtpFailure failure, SendOutcome outcome, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var send = telemetry.StartSend(email, resend: false);
            telemetry.SmtpFailed(email.Category, failure, "smtp.gmail.com");
            telemetry.FellBack(email.Category, failure, "smtp.gmail.com");
            telemetry.Deferred(email.Category, failure, "smtp.gmail.com", resend: true);
            telemetry.ThrottleWaited(LimitWindow.MessagesPerSecond, TimeSpan.FromSeconds(1), acquired: true);
            telemetry.LimitRefused(LimitWindow.MessagesPerDay);
            telemetry.DeferredGaveUp(email.Category, failure.Kind);
            send.Completed(outcome);
        }
    }
}
