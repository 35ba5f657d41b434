using MimeKit;
using PetSitter.Email.Testing;
using PetSitter.Email.Tests.EndToEnd;

namespace PetSitter.Email.Tests.Interop;

/// <summary>Accounts and messages for the library talking to the real Postfix through its public API.</summary>
internal static class PostfixHosts
{
    public const string Business = "paws";

    /// <summary>The owner's account on one of Postfix's listeners, trusting the test CA that issued its certificate.</summary>
    public static SmtpAccountSettings Account(PostfixServer postfix, string listener, string? password = null, string from = PostfixServer.Owner) => new()
    {
        Host = "127.0.0.1",
        Port = postfix.Port(listener),
        Security = PostfixServer.Listeners[listener].Contains("smtpd_tls_wrappermode=yes") ? SmtpSecurity.ImplicitTls : SmtpSecurity.StartTls,
        UserName = PostfixServer.Owner,
        Password = password ?? postfix.OwnerPassword,
        FromAddress = from,
        TrustedCertificateAuthorities = [TestCertificateAuthority.Shared.Certificate],
    };

    /// <summary>The library as an app composes it (real MailKit transport, fake clock for its own timers), sending through <paramref name="account"/>.</summary>
    public static EndToEndHost Host(SmtpAccountSettings account)
    {
        var host = new EndToEndHost();
        host.Settings.Set(EndToEndHost.Business(Business, account));
        return host;
    }

    public static Task<SendOutcome> SendAsync(EndToEndHost host, EmailCategory category, int number, string mailbox) =>
        host.SendAsync(Business, category, number, $"{mailbox}@{PostfixServer.Domain}");

    /// <summary>A message of about <paramref name="bytes"/> bytes of text.</summary>
    public static OutgoingEmail Large(int number, string mailbox, int bytes)
    {
        var message = EndToEndHost.Message(number, EmailCategory.General, $"{mailbox}@{PostfixServer.Domain}");
        var line = new string('x', 76) + "\n";
        message.Body = new TextPart("plain") { Text = string.Concat(Enumerable.Repeat(line, (bytes / line.Length) + 1)) };
        return new OutgoingEmail(Business, EmailCategory.General, message);
    }
}
