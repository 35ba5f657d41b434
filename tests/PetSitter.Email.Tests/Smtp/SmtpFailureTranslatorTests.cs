using System.Net.Sockets;
using System.Text;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace PetSitter.Email.Tests.Smtp;

public class SmtpFailureTranslatorTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public void A_wrong_password_carries_535_and_the_servers_text()
    {
        const string Reply = "5.7.8 Username and Password not accepted. Learn more at https://support.google.com/mail/?p=BadCredentials - gsmtp";
        var inner = new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, SmtpStatusCode.AuthenticationInvalidCredentials, Reply);
        var exception = new AuthenticationException("535: " + Reply, inner);

        var failure = Translate(exception, Tracker(SmtpStage.Authenticate));

        failure.Stage.Should().Be(SmtpStage.Authenticate);
        failure.StatusCode.Should().Be(535);
        failure.Reply.Should().Be(Reply);
        failure.EnhancedStatusCode.Should().Be("5.7.8");
    }

    [Fact]
    public void An_authentication_message_without_inner_reply_is_split_into_code_and_text()
    {
        var failure = Translate(new AuthenticationException("534: 5.7.9 Application-specific password required."), Tracker(SmtpStage.Authenticate));

        failure.Stage.Should().Be(SmtpStage.Authenticate);
        failure.StatusCode.Should().Be(534);
        failure.Reply.Should().StartWith("5.7.9 Application-specific");
    }

    [Theory]
    [InlineData(SmtpErrorCode.SenderNotAccepted, SmtpStatusCode.MailboxNameNotAllowed, SmtpStage.MailFrom)]
    [InlineData(SmtpErrorCode.RecipientNotAccepted, SmtpStatusCode.MailboxUnavailable, SmtpStage.RcptTo)]
    [InlineData(SmtpErrorCode.MessageNotAccepted, SmtpStatusCode.ExceededStorageAllocation, SmtpStage.Data)]
    public void A_refused_command_is_pinned_by_what_was_refused(SmtpErrorCode errorCode, SmtpStatusCode status, SmtpStage expected)
    {
        var failure = Translate(new SmtpCommandException(errorCode, status, "5.0.0 refused"), Tracker(SmtpStage.MailFrom));

        failure.Stage.Should().Be(expected);
        failure.StatusCode.Should().Be((int)status);
        failure.Reply.Should().Be("5.0.0 refused");
    }

    [Fact]
    public void An_unexpected_reply_takes_its_stage_from_the_conversation()
    {
        var tracker = Tracker(SmtpStage.Connect);
        Server(tracker, "220 hi\r\n");
        Client(tracker, "EHLO [127.0.0.1]\r\n");
        Server(tracker, "421 4.3.2 Service shutting down\r\n");

        var failure = Translate(new SmtpCommandException(SmtpErrorCode.UnexpectedStatusCode, SmtpStatusCode.ServiceNotAvailable, "4.3.2 Service shutting down"), tracker);

        failure.Stage.Should().Be(SmtpStage.Ehlo);
        failure.StatusCode.Should().Be(421);
    }

    [Fact]
    public void A_connection_lost_after_the_end_of_data_is_AfterData_and_says_delivery_is_uncertain()
    {
        var tracker = Tracker(SmtpStage.MailFrom);
        Client(tracker, "MAIL FROM:<a@b.example>\r\n");
        Server(tracker, "250 ok\r\n");
        Client(tracker, "RCPT TO:<c@d.example>\r\n");
        Server(tracker, "250 ok\r\n");
        Client(tracker, "DATA\r\n");
        Server(tracker, "354 go\r\n");
        Client(tracker, "Subject: x\r\n\r\nhi\r\n.\r\n");

        var failure = Translate(new SmtpProtocolException("The SMTP server has unexpectedly disconnected."), tracker);

        failure.Stage.Should().Be(SmtpStage.AfterData);
        failure.StatusCode.Should().BeNull();
        failure.Reply.Should().Contain("uncertain");
    }

    [Fact]
    public void A_socket_error_before_connecting_is_Connect()
    {
        var failure = Translate(new SocketException((int)SocketError.ConnectionRefused), Tracker(SmtpStage.Connect));

        failure.Stage.Should().Be(SmtpStage.Connect);
        failure.Reply.Should().Contain("mx.example:587").And.Contain("ConnectionRefused");
    }

    [Fact]
    public void A_timeout_waiting_for_a_reply_names_the_command_waited_for()
    {
        var tracker = Tracker(SmtpStage.MailFrom);
        Client(tracker, "MAIL FROM:<a@b.example>\r\n");

        var failure = Translate(new TimeoutException("Operation timed out after 30000 milliseconds"), tracker);

        failure.Stage.Should().Be(SmtpStage.MailFrom);
        failure.Reply.Should().Contain("within 30 s");
    }

    [Fact]
    public void A_refused_certificate_says_why()
    {
        using var authority = TestCertificates.CreateAuthority("Unknown CA");
        using var leaf = TestCertificates.CreateServer(authority, "mx.example");
        using var chain = TestCertificates.SystemChain(leaf);
        var validator = new SmtpCertificateValidator("mx.example", []);
        validator.Validate(this, leaf, chain, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors);

        var failure = SmtpFailureTranslator.Translate(new SslHandshakeException("handshake failed"), Tracker(SmtpStage.Connect), validator, "mx.example:587", Timeout);

        failure.Stage.Should().Be(SmtpStage.Tls);
        failure.Reply.Should().Contain("not trusted").And.Contain("untrusted root");
    }

    [Fact]
    public void Starttls_not_offered_is_reported_at_Ehlo()
    {
        var tracker = Tracker(SmtpStage.Connect);
        Server(tracker, "220 hi\r\n");
        Client(tracker, "EHLO [127.0.0.1]\r\n");
        Server(tracker, "250 hi\r\n");

        var failure = Translate(new NotSupportedException("The SMTP server does not support the STARTTLS extension."), tracker);

        failure.Stage.Should().Be(SmtpStage.Ehlo);
        failure.Reply.Should().Contain("STARTTLS");
    }

    private static SmtpTransportException Translate(Exception exception, SmtpStageTracker tracker) =>
        SmtpFailureTranslator.Translate(exception, tracker, null, "mx.example:587", Timeout);

    private static SmtpStageTracker Tracker(SmtpStage operation)
    {
        var tracker = new SmtpStageTracker();
        tracker.BeginOperation(SmtpStage.Connect);
        if (operation != SmtpStage.Connect)
        {
            tracker.LogConnect(new Uri("smtp://mx.example:587"));
            Server(tracker, "220 hi\r\n");
            tracker.BeginOperation(operation);
        }

        return tracker;
    }

    private static void Client(SmtpStageTracker tracker, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        tracker.LogClient(bytes, 0, bytes.Length);
    }

    private static void Server(SmtpStageTracker tracker, string text)
    {
        var bytes = Encoding.ASCII.GetBytes(text);
        tracker.LogServer(bytes, 0, bytes.Length);
    }
}
