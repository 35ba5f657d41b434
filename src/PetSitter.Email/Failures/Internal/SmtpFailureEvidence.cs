using System.Globalization;
using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using TlsAuthenticationException = System.Security.Authentication.AuthenticationException;

namespace PetSitter.Email.Failures;

/// <summary>
/// The facts a rule is matched against, gathered once from an <see cref="SmtpTransportException"/>
/// and whatever MailKit (or the network) threw under it.
/// </summary>
internal sealed class SmtpFailureEvidence
{
    // Fragments MailKit and .NET use only when the certificate itself was the problem. The generic
    // "SSL or TLS connection" text also mentions certificates, as possible causes, so plain
    // "certificate" would match every handshake failure.
    private static readonly string[] CertificateFragments =
    [
        "remote certificate",
        "certificate could not be validated",
        "did not match the name",
        "did not match any of the names",
        "certificate for the server was not available",
        "RemoteCertificate",
    ];

    private SmtpFailureEvidence(SmtpStage stage, int? statusCode, string? enhancedStatusCode, string text, ProviderDetection provider, SmtpFailureCause cause)
    {
        Stage = stage;
        StatusCode = statusCode;
        EnhancedStatusCode = enhancedStatusCode;
        Text = text;
        Detection = provider;
        Cause = cause;
    }

    /// <summary>Gets the stage the rules see: the transport's, sharpened by MailKit's error code when it names the command.</summary>
    public SmtpStage Stage { get; }

    /// <summary>Gets the reply code: the transport's, else MailKit's, else the one leading the reply text.</summary>
    public int? StatusCode { get; }

    public string? EnhancedStatusCode { get; }

    /// <summary>Gets the reply and every inner exception's message, for text rules.</summary>
    public string Text { get; }

    public KnownSmtpProvider Provider => Detection.Provider;

    /// <summary>Gets the provider whose rules apply and what identified it.</summary>
    public ProviderDetection Detection { get; }

    public SmtpFailureCause Cause { get; }

    /// <param name="exception">What the transport threw.</param>
    /// <param name="host">The SMTP host, when known.</param>
    /// <param name="namedProvider">The account's <see cref="SmtpAccountSettings.Provider"/>, which overrides detection.</param>
    public static SmtpFailureEvidence From(SmtpTransportException exception, string? host, string? namedProvider = null)
    {
        var chain = InnerChain(exception);
        var command = chain.OfType<SmtpCommandException>().FirstOrDefault();

        var texts = new List<string>();
        if (!string.IsNullOrWhiteSpace(exception.Reply))
        {
            texts.Add(exception.Reply);
        }

        foreach (var inner in chain)
        {
            if (!string.IsNullOrWhiteSpace(inner.Message) && !texts.Any(t => t.Contains(inner.Message, StringComparison.Ordinal)))
            {
                texts.Add(inner.Message);
            }
        }

        var text = string.Join('\n', texts);
        var code = exception.StatusCode
            ?? (command is null ? null : (int?)command.StatusCode)
            ?? texts.Select(LeadingCode).FirstOrDefault(c => c is not null);

        // The transport's own EnhancedStatusCode is this search over its Reply, which is the first text when it is not blank.
        var enhanced = texts.Select(EnhancedStatusCodes.Find).FirstOrDefault(e => e is not null);

        var provider = KnownSmtpProviders.Detect(host, namedProvider, exception.ServerBanner, text);

        return new SmtpFailureEvidence(StageOf(exception.Stage, command), code, enhanced, text, provider, CauseOf(chain));
    }

    private static List<Exception> InnerChain(Exception exception)
    {
        var chain = new List<Exception>();
        for (var inner = exception.InnerException; inner is not null && chain.Count < 16; inner = inner.InnerException)
        {
            if (inner is AggregateException aggregate && aggregate.InnerExceptions.Count == 1)
            {
                inner = aggregate.InnerExceptions[0];
            }

            chain.Add(inner);
        }

        return chain;
    }

    private static SmtpStage StageOf(SmtpStage reported, SmtpCommandException? command)
    {
        // MailKit pipelines MAIL FROM and RCPT TO, so a transport may only know "somewhere in the
        // envelope"; MailKit's error code says which command was refused. AfterData is never
        // overridden: there the fate of the message is unknown whatever the code says.
        if (command is null || reported is < SmtpStage.MailFrom or > SmtpStage.Data)
        {
            return reported;
        }

        return command.ErrorCode switch
        {
            SmtpErrorCode.SenderNotAccepted => SmtpStage.MailFrom,
            SmtpErrorCode.RecipientNotAccepted => SmtpStage.RcptTo,
            SmtpErrorCode.MessageNotAccepted => SmtpStage.Data,
            _ => reported,
        };
    }

    private static SmtpFailureCause CauseOf(List<Exception> chain)
    {
        // Outer exceptions are often generic wrappers (a protocol exception around a timed-out
        // read): a specific cause anywhere in the chain wins over a generic one.
        var weak = SmtpFailureCause.None;
        foreach (var inner in chain)
        {
            var cause = CauseOf(inner);
            if (cause is SmtpFailureCause.Disconnected or SmtpFailureCause.NetworkError)
            {
                weak = weak == SmtpFailureCause.None ? cause : weak;
            }
            else if (cause != SmtpFailureCause.None)
            {
                return cause;
            }
        }

        return weak;
    }

    private static SmtpFailureCause CauseOf(Exception exception) => exception switch
    {
        SslHandshakeException or TlsAuthenticationException => IsCertificateProblem(exception) ? SmtpFailureCause.TlsCertificate : SmtpFailureCause.TlsHandshake,
        SmtpAccessTokenException => SmtpFailureCause.AccessToken,
        SmtpAccessTokenUnavailableException => SmtpFailureCause.AccessTokenUnavailable,
        SmtpServerRestartingException => SmtpFailureCause.RefusedAfterAnswering,
        ServiceNotAuthenticatedException => SmtpFailureCause.NotAuthenticated,
        AuthenticationException or SaslException => SmtpFailureCause.Authentication,
        NotSupportedException => SmtpFailureCause.NotSupported,
        SocketException socket => socket.SocketErrorCode switch
        {
            SocketError.HostNotFound or SocketError.NoData => SmtpFailureCause.HostNotFound,
            SocketError.ConnectionRefused => SmtpFailureCause.ConnectionRefused,
            SocketError.TimedOut => SmtpFailureCause.Timeout,
            _ => SmtpFailureCause.NetworkError,
        },
        TimeoutException or OperationCanceledException => SmtpFailureCause.Timeout,
        SmtpProtocolException or ServiceNotConnectedException => SmtpFailureCause.Disconnected,
        IOException io when io.Message.Contains("timed out", StringComparison.OrdinalIgnoreCase) => SmtpFailureCause.Timeout,
        IOException => SmtpFailureCause.NetworkError,
        _ => SmtpFailureCause.None,
    };

    private static bool IsCertificateProblem(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (CertificateFragments.Any(f => e.Message.Contains(f, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Reads a reply code at the start of a text: "535 5.7.8 ...", "550-5.4.5 ..." or MailKit's "535: 5.7.8 ...".</summary>
    private static int? LeadingCode(string text)
    {
        var span = text.AsSpan().TrimStart();
        if (span.Length < 3 || span[0] is < '2' or > '5' || !char.IsAsciiDigit(span[1]) || !char.IsAsciiDigit(span[2]))
        {
            return null;
        }

        if (span.Length > 3 && span[3] is not (' ' or '-' or ':' or '\n' or '\r'))
        {
            return null;
        }

        return int.Parse(span[..3], NumberStyles.None, CultureInfo.InvariantCulture);
    }
}
