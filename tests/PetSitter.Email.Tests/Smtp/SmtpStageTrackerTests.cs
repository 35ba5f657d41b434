using System.Reflection;
using System.Text;

namespace PetSitter.Email.Tests.Smtp;

public class SmtpStageTrackerTests
{
    [Fact]
    public void Before_the_socket_connects_the_stage_is_Connect()
    {
        var tracker = new SmtpStageTracker();
        tracker.BeginOperation(SmtpStage.Connect);

        tracker.CurrentStage.Should().Be(SmtpStage.Connect);
        tracker.Connected.Should().BeFalse();
    }

    [Fact]
    public void After_connecting_the_client_waits_for_the_greeting()
    {
        var tracker = Connected();

        tracker.CurrentStage.Should().Be(SmtpStage.Greeting);
    }

    [Fact]
    public void A_554_greeting_is_recorded_as_a_greeting_error()
    {
        var tracker = Connected();
        Server(tracker, "554 5.7.1 No service for you\r\n");

        tracker.FirstErrorReply.Should().Be((SmtpStage.Greeting, 554));
    }

    [Fact]
    public void Ehlo_and_starttls_are_the_Ehlo_stage()
    {
        var tracker = Connected();
        Server(tracker, "220 mx.example ESMTP\r\n");
        Client(tracker, "EHLO [127.0.0.1]\r\n");
        tracker.CurrentStage.Should().Be(SmtpStage.Ehlo);

        Server(tracker, "250-mx.example\r\n250-STARTTLS\r\n");
        tracker.CurrentStage.Should().Be(SmtpStage.Ehlo, "a multi-line reply is not complete until its last line");
        Server(tracker, "250 AUTH PLAIN LOGIN\r\n");
        Client(tracker, "STARTTLS\r\n");
        Server(tracker, "454 4.7.0 TLS not available\r\n");

        tracker.FirstErrorReply.Should().Be((SmtpStage.Ehlo, 454));
        tracker.RepliesInOperation.Should().Be(3);
    }

    [Fact]
    public void A_wrong_password_is_pinned_to_Authenticate_across_a_LOGIN_exchange()
    {
        var tracker = Connected();
        tracker.BeginOperation(SmtpStage.Authenticate);
        Client(tracker, "AUTH LOGIN\r\n");
        Server(tracker, "334 VXNlcm5hbWU6\r\n");
        Client(tracker, "aGVsbG9AcGF3cy5leGFtcGxl\r\n");
        Server(tracker, "334 UGFzc3dvcmQ6\r\n");
        Client(tracker, "c2VjcmV0LXBhc3N3b3Jk\r\n");
        tracker.CurrentStage.Should().Be(SmtpStage.Authenticate);
        Server(tracker, "535 5.7.8 Username and Password not accepted\r\n");

        tracker.FirstErrorReply.Should().Be((SmtpStage.Authenticate, 535));
    }

    [Fact]
    public void Tracker_never_keeps_any_part_of_a_SASL_response()
    {
        var tracker = Connected();
        tracker.BeginOperation(SmtpStage.Authenticate);
        Client(tracker, "AUTH LOGIN\r\n");
        Server(tracker, "334 VXNlcm5hbWU6\r\n");
        Client(tracker, "UXVpdGVTZWNyZXRVc2Vy\r\n");
        Server(tracker, "334 UGFzc3dvcmQ6\r\n");
        Client(tracker, "UXVpdGVTZWNyZXRQYXNz\r\n");
        Server(tracker, "235 2.7.0 Accepted\r\n");
        Client(tracker, "AUTH PLAIN AHVzZXIAcGFzc3dvcmQ=\r\n");

        var kept = new StringBuilder();
        foreach (var field in typeof(SmtpStageTracker).GetFields(BindingFlags.Instance | BindingFlags.NonPublic))
        {
            switch (field.GetValue(tracker))
            {
                case char[] chars:
                    kept.Append(chars);
                    break;
                case string text:
                    kept.Append(text);
                    break;
            }
        }

        kept.ToString().Should().NotContain("UXVp").And.NotContain("AHVz").And.NotContain("cGFz");
    }

    [Fact]
    public void Pipelined_envelope_failure_is_pinned_to_the_recipient_that_was_refused()
    {
        var tracker = Sending();
        Client(tracker, "MAIL FROM:<hello@paws.example>\r\nRCPT TO:<client@example.com>\r\n");
        tracker.CurrentStage.Should().Be(SmtpStage.MailFrom);
        Server(tracker, "250 2.1.0 OK\r\n550 5.1.1 The email account that you tried to reach does not exist.\r\n");

        tracker.FirstErrorReply.Should().Be((SmtpStage.RcptTo, 550));
    }

    [Fact]
    public void While_the_body_streams_the_stage_is_Data_and_the_end_is_not_written()
    {
        var tracker = Sending();
        Envelope(tracker);
        Client(tracker, "DATA\r\n");
        tracker.CurrentStage.Should().Be(SmtpStage.Data);
        Server(tracker, "354 Go ahead\r\n");
        Client(tracker, "Subject: Invoice\r\n\r\nLine one\r\n");

        tracker.CurrentStage.Should().Be(SmtpStage.Data);
        tracker.EndOfDataWritten.Should().BeFalse();
    }

    [Fact]
    public void Once_the_terminating_dot_is_written_the_stage_is_AfterData_even_if_split_across_writes()
    {
        var tracker = Sending();
        Envelope(tracker);
        Client(tracker, "DATA\r\n");
        Server(tracker, "354 Go ahead\r\n");
        Client(tracker, "Subject: Invoice\r\n\r\nBody\r");
        Client(tracker, "\n.");
        tracker.EndOfDataWritten.Should().BeFalse();
        Client(tracker, "\r\n");

        tracker.EndOfDataWritten.Should().BeTrue();
        tracker.CurrentStage.Should().Be(SmtpStage.AfterData);
    }

    [Fact]
    public void A_dot_stuffed_line_in_the_body_does_not_end_the_message()
    {
        var tracker = Sending();
        Envelope(tracker);
        Client(tracker, "DATA\r\n");
        Server(tracker, "354 Go ahead\r\n");
        Client(tracker, "Subject: x\r\n\r\n..\r\n...hidden\r\n\r\r\n");

        tracker.EndOfDataWritten.Should().BeFalse();
        tracker.CurrentStage.Should().Be(SmtpStage.Data);
    }

    [Fact]
    public void A_refusal_after_the_end_of_data_is_recorded_at_AfterData_and_then_nothing_is_pending()
    {
        var tracker = Sending();
        Envelope(tracker);
        Client(tracker, "DATA\r\n");
        Server(tracker, "354 Go ahead\r\n");
        Client(tracker, "Subject: x\r\n\r\nhi\r\n.\r\n");
        Server(tracker, "552 5.3.4 Message size exceeds fixed maximum message size\r\n");

        tracker.FirstErrorReply.Should().Be((SmtpStage.AfterData, 552));
    }

    [Fact]
    public void A_DATA_command_refused_with_554_never_enters_the_body()
    {
        var tracker = Sending();
        Envelope(tracker);
        Client(tracker, "DATA\r\n");
        Server(tracker, "554 5.5.1 No valid recipients\r\n");
        Client(tracker, "RSET\r\n");

        tracker.FirstErrorReply.Should().Be((SmtpStage.Data, 554));
        tracker.EndOfDataWritten.Should().BeFalse();
    }

    [Fact]
    public void Bdat_last_chunk_counts_as_the_end_of_the_message_once_all_its_bytes_are_written()
    {
        var tracker = Sending();
        Envelope(tracker);
        Client(tracker, "BDAT 12 LAST\r\nSubject: ");
        tracker.CurrentStage.Should().Be(SmtpStage.Data);
        tracker.EndOfDataWritten.Should().BeFalse();

        Client(tracker, "hi\r\n");

        tracker.EndOfDataWritten.Should().BeTrue();
        tracker.CurrentStage.Should().Be(SmtpStage.AfterData);
    }

    [Fact]
    public void A_new_operation_forgets_the_previous_send()
    {
        var tracker = Sending();
        Envelope(tracker);
        Client(tracker, "DATA\r\n");
        Server(tracker, "354 Go ahead\r\n");
        Client(tracker, "x\r\n.\r\n");
        Server(tracker, "250 2.0.0 OK queued\r\n");

        tracker.BeginOperation(SmtpStage.MailFrom);

        tracker.CurrentStage.Should().Be(SmtpStage.MailFrom);
        tracker.EndOfDataWritten.Should().BeFalse();
        tracker.RepliesInOperation.Should().Be(0);
        tracker.FirstErrorReply.Should().BeNull();
    }

    private static SmtpStageTracker Connected()
    {
        var tracker = new SmtpStageTracker();
        tracker.BeginOperation(SmtpStage.Connect);
        tracker.LogConnect(new Uri("smtp://mx.example:587"));
        return tracker;
    }

    private static SmtpStageTracker Sending()
    {
        var tracker = Connected();
        Server(tracker, "220 mx.example ESMTP\r\n");
        Client(tracker, "EHLO [127.0.0.1]\r\n");
        Server(tracker, "250 mx.example\r\n");
        tracker.BeginOperation(SmtpStage.MailFrom);
        return tracker;
    }

    private static void Envelope(SmtpStageTracker tracker)
    {
        Client(tracker, "MAIL FROM:<hello@paws.example>\r\n");
        Server(tracker, "250 2.1.0 OK\r\n");
        Client(tracker, "RCPT TO:<client@example.com>\r\n");
        Server(tracker, "250 2.1.5 OK\r\n");
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
