using Microsoft.Extensions.Logging;

namespace PetSitter.Email.OAuth;

/// <summary>The package's log events (5001-5099). Never a token, code, state or client secret.</summary>
internal static partial class OAuthLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Mailbox {Mailbox} ({Provider}) connected for business {BusinessId} as grant {GrantId}")]
    public static partial void Connected(ILogger logger, string mailbox, string provider, string businessId, string grantId);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "OAuth callback refused ({Error}) for business {BusinessId}: {Reason}")]
    public static partial void CallbackRefused(ILogger logger, SmtpOAuthConnectError error, string? businessId, string reason);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Debug, Message = "Access token for grant {GrantId} refreshed; valid for {LifetimeSeconds} s, refresh token rotated: {Rotated}")]
    public static partial void Refreshed(ILogger logger, string grantId, int lifetimeSeconds, bool rotated);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "The provider refused the refresh token of grant {GrantId} ({Error}): the owner must reconnect the mailbox")]
    public static partial void GrantRefused(ILogger logger, string grantId, string error);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Warning, Message = "The token endpoint of {Provider} was unavailable for grant {GrantId}: {Reason}")]
    public static partial void TokenEndpointUnavailable(ILogger logger, string provider, string grantId, string reason);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Mailbox {Mailbox} ({Provider}) disconnected from business {BusinessId}: grant {GrantId} deleted, revoked at the provider: {Revoked}")]
    public static partial void Disconnected(ILogger logger, string mailbox, string provider, string businessId, string grantId, bool revoked);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "The revocation endpoint of {Provider} did not revoke grant {GrantId} ({Error}); the grant is deleted all the same")]
    public static partial void RevocationFailed(ILogger logger, string provider, string grantId, string error);
}
