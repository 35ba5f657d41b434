namespace PetSitter.Email.AspNetCore.Tests.Unsubscribe;

/// <summary>Every business the app is asked about, on the scripted server's account when there is one, otherwise native only.</summary>
internal sealed class Businesses(SmtpAccountSettings? smtp = null) : IBusinessEmailSettingsProvider
{
    public ValueTask<BusinessEmailSettings?> GetSettingsAsync(string businessId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<BusinessEmailSettings?>(new BusinessEmailSettings
        {
            BusinessId = businessId,
            BusinessName = $"Business {businessId}",
            ReplyToAddress = $"office@{businessId}.example",
            Smtp = smtp,
        });
}
