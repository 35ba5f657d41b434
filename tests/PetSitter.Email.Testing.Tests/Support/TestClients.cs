using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace PetSitter.Email.Testing.Tests.Support;

/// <summary>MailKit clients and messages for talking to a <see cref="ScriptedSmtpServer"/>.</summary>
internal static class TestClients
{
    /// <summary>A bound on every wait, so a broken server fails a test instead of hanging it.</summary>
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(15);

    public static SmtpClient Create(X509Certificate2? trustedAuthority = null) => new()
    {
        Timeout = (int)Patience.TotalMilliseconds,
        CheckCertificateRevocation = false,
        ServerCertificateValidationCallback = TrustOnly(trustedAuthority ?? TestCertificateAuthority.Shared.Certificate),
    };

    public static async Task<SmtpClient> ConnectAsync(ScriptedSmtpServer server, SecureSocketOptions security = SecureSocketOptions.None, X509Certificate2? trustedAuthority = null)
    {
        var client = Create(trustedAuthority ?? server.CertificateAuthority.Certificate);
        try
        {
            await client.ConnectAsync(server.Host, server.Port, security);
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }

    /// <summary>
    /// Accepts a server certificate only if it chains to <paramref name="authority"/> and names the host:
    /// a private CA trusted for this client alone, never "accept anything".
    /// </summary>
    public static RemoteCertificateValidationCallback TrustOnly(X509Certificate2 authority) => (_, certificate, _, errors) =>
    {
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
        {
            return false;
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    };

    public static MimeMessage Message(string subject = "Walk booked for Biscuit", params string[] to)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Paws & Claws", "hello@paws.example"));
        foreach (var address in to.Length == 0 ? ["client@example.test"] : to)
        {
            message.To.Add(MailboxAddress.Parse(address));
        }

        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Biscuit's walk is booked for Tuesday at 10:00.\n.A line that starts with a dot.\nSee you then!\n" };
        return message;
    }

    public static CancellationToken Timeout() => new CancellationTokenSource(Patience).Token;
}
