using MailKit.Net.Smtp;
using MimeKit;

namespace PetSitter.Email.Diagnostics;

/// <summary>
/// The sender step: MAIL FROM the From address, RCPT TO that same address (servers such as Postfix judge
/// the sender only there), then RSET so nothing is sent; and, when asked for, one real test message.
/// </summary>
internal sealed class SenderStep
{
    private readonly DiagnosticContext _context;
    private readonly TimeProvider _time;

    public SenderStep(DiagnosticContext context, TimeProvider time)
    {
        _context = context;
        _time = time;
    }

    /// <summary>Checks the From address; returns whether the conversation may go on to the test message.</summary>
    public async Task<bool> CheckFromAsync(DiagnosticSession session, CancellationToken cancellationToken)
    {
        var client = session.Client;
        var findings = _context.Findings;
        if (string.IsNullOrWhiteSpace(_context.Account.FromAddress))
        {
            _context.AddStep("MAIL FROM: skipped (no From address).");
            findings.Note(DiagnosticCheck.Settings, "No From address was given, so the sender was not checked.");
            findings.Note(DiagnosticCheck.SendLimits, "No From address was given, so the server was not asked to take a sender.");
            return true;
        }

        var from = MailboxAddress.Parse(_context.Account.FromAddress).Address;
        var command = $"MAIL FROM:<{from}>";
        if (!from.All(char.IsAscii) && client.Capabilities.HasFlag(SmtpCapabilities.UTF8))
        {
            command += " SMTPUTF8";
        }

        using var step = _context.BeginStep(_time, cancellationToken);
        if (await CommandAsync(session, step, SmtpStage.MailFrom, command, stepsSoFar: null, from, cancellationToken).ConfigureAwait(false) is not { } response)
        {
            return false;
        }

        _context.SenderChecked = true;
        var code = (int)response.StatusCode;
        var reply = $"{code} {response.Response}";
        var stage = SmtpStage.MailFrom;
        var steps = $"{command}: {reply}";
        if (code is >= 200 and < 300)
        {
            // Postfix and others judge the sender only at RCPT TO (reject_sender_login_mismatch with
            // smtpd_delay_reject): name one recipient, the From address itself, so a sender refused there
            // is found too. RSET then ends the transaction before DATA, so nothing is sent.
            var rcpt = $"RCPT TO:<{from}>";
            if (await CommandAsync(session, step, SmtpStage.RcptTo, rcpt, steps, from, cancellationToken).ConfigureAwait(false) is not { } recipient)
            {
                return false;
            }

            var recipientCode = (int)recipient.StatusCode;
            var recipientReply = $"{recipientCode} {recipient.Response}";
            steps = $"{steps}; {rcpt}: {recipientReply}";
            var refusedAsRecipient = recipientCode is >= 200 and < 300
                ? null
                : _context.Classify(new SmtpTransportException(SmtpStage.RcptTo, recipientCode, recipient.Response));
            if (refusedAsRecipient is null || refusedAsRecipient.Kind == SmtpFailureKind.RecipientRejected)
            {
                // RSET ends the transaction so nothing is sent; its answer does not change the verdict.
                var reset = await ResetAsync(client, step.Token).ConfigureAwait(false);
                _context.AddStep($"{steps}; RSET: {reset} ({step.Elapsed}).");
                findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Pass, $"The From address {from} is accepted.", reply: reply);
                findings.Add(DiagnosticCheck.SendLimits, DiagnosticStatus.Pass, "The server accepted a sender without reporting a sending limit reached.", reply: reply);
                if (refusedAsRecipient is not null)
                {
                    // Only the address as a recipient was refused (it has no mailbox here): replies to it may bounce.
                    findings.Add(DiagnosticCheck.Settings, DiagnosticStatus.Warning, $"The server takes {from} as the sender, but refuses it as a recipient.",
                        refusedAsRecipient.Kind, recipientReply,
                        $"Check that {from} is a mailbox that receives mail: clients' replies go to it (or to the Reply-To address).");
                }

                return true;
            }

            code = recipientCode;
            response = recipient;
            stage = SmtpStage.RcptTo;
        }

        var failure = _context.Classify(new SmtpTransportException(stage, code, response.Response));
        _context.AddStep($"{steps} ({step.Elapsed}).");
        var summary = failure.Kind switch
        {
            SmtpFailureKind.SendLimitReached => $"The provider refused the sender {from}: a sending limit is reached.{ResetNote(failure)}",
            SmtpFailureKind.Misconfigured => $"The server refused {from} as the sender.",
            _ => $"The server refused the sender {from}.",
        };
        var suggestion = !client.IsSecure && failure.Kind == SmtpFailureKind.ProviderRequirementsChanged && client.Capabilities.HasFlag(SmtpCapabilities.StartTLS)
            ? _context.SuggestStartTls()
            : null;
        _context.AddFailure("sender", failure, summary, suggestion);
        _context.Stop("the sender was refused");
        return false;
    }

    /// <summary>Sends the test message when <see cref="DiagnosticOptions.TestRecipient"/> asks for one.</summary>
    public async Task SendTestMessageAsync(DiagnosticSession session, CancellationToken cancellationToken)
    {
        var findings = _context.Findings;
        var fromAddress = _context.Account.FromAddress;
        var from = string.IsNullOrWhiteSpace(fromAddress) ? null : MailboxAddress.Parse(fromAddress).Address;
        if (_context.Options.TestRecipient is not { } to)
        {
            findings.Add(DiagnosticCheck.SpamReputation, DiagnosticStatus.NotChecked,
                "Only a real test message can show a spam refusal, and none was asked for.",
                advice: $"If clients find your emails in spam or junk, ask them to save {from ?? "your address"} as a safe sender.");
            return;
        }

        if (from is null)
        {
            findings.Add(DiagnosticCheck.SpamReputation, DiagnosticStatus.NotChecked, "A test message needs a From address, and none was given.");
            return;
        }

        using var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = "PetSitter.Email test message";
        message.Date = _time.GetUtcNow();
        message.Body = new TextPart("plain")
        {
            Text = $"This message was sent by the PetSitter.Email diagnosis to check that {_context.Host} accepts and sends mail from {from}. Nothing needs doing.",
        };

        using var step = _context.BeginStep(_time, cancellationToken);
        try
        {
            session.Log.Tracker.BeginOperation(SmtpStage.MailFrom);
            var reply = await session.Client.SendAsync(message, step.Token).ConfigureAwait(false);
            _context.AddStep($"Test message to {to}: {reply} ({step.Elapsed}).");
            findings.Add(DiagnosticCheck.AccountWorking, DiagnosticStatus.Pass, $"A test message to {to} was accepted for delivery.", reply: reply);
            findings.Add(DiagnosticCheck.SpamReputation, DiagnosticStatus.Pass, $"Your provider accepted the test message to {to} without calling it spam.", reply: reply,
                advice: $"Check that it arrived in the inbox rather than spam or junk; if clients find your emails there, ask them to save {from} as a safe sender.");
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var failure = _context.Classify(ex, step, session);
            _context.AddStep($"Test message to {to}: failed at {DiagnosticText.StageName(failure.Stage)}: {DiagnosticText.Evidence(failure)} ({step.Elapsed}).");

            // The account got this far, so a refusal of this message or this recipient is a warning about
            // the test, not a verdict on the account.
            var aboutTheMessage = !failure.IsAccountLevel && failure.Kind is not SmtpFailureKind.RejectedAsSpam;
            var summary = failure.Kind == SmtpFailureKind.RejectedAsSpam
                ? $"Your provider refused the test message to {to} as spam."
                : $"The test message to {to} was not accepted.";
            _context.AddFailure("test message", failure, summary, status: aboutTheMessage ? DiagnosticStatus.Warning : DiagnosticStatus.Fail);
        }
    }

    /// <summary>
    /// Sends one command of the sender check; when the connection is lost, records it after the steps so far,
    /// stops the run and returns <see langword="null"/>.
    /// </summary>
    private async Task<SmtpResponse?> CommandAsync(
        DiagnosticSession session, DiagnosticStep step, SmtpStage stage, string command, string? stepsSoFar, string from, CancellationToken cancellationToken)
    {
        try
        {
            session.Log.Tracker.BeginOperation(stage);
            return await session.Client.CommandAsync(command, step.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            var lost = _context.Classify(ex, step, session);
            var sent = stepsSoFar is null ? command : $"{stepsSoFar}; {command}";
            _context.AddStep($"{sent}: failed: {DiagnosticText.Evidence(lost)} ({step.Elapsed}).");
            _context.AddFailure("sender", lost, $"The connection was lost while checking the From address {from}.");
            _context.Stop("the connection was lost");
            return null;
        }
    }

    private static async Task<string> ResetAsync(DiagnosticSmtpClient client, CancellationToken cancellationToken)
    {
        try
        {
            var reset = await client.CommandAsync("RSET", cancellationToken).ConfigureAwait(false);
            return $"{(int)reset.StatusCode} {reset.Response}";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return $"no answer ({ex.GetType().Name})";
        }
    }

    private string ResetNote(SmtpFailure failure) =>
        failure.ResetsAfter is { } window
            ? $" Your provider counts it over {DiagnosticText.Hours(window)}: sending resumes by {DiagnosticText.Utc(_time.GetUtcNow() + window)} at the latest."
            : string.Empty;
}
