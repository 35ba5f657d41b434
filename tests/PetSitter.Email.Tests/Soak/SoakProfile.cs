namespace PetSitter.Email.Tests.Soak;

/// <summary>What a business's mailbox does in the soak, apart from the faults every mailbox meets.</summary>
internal enum SoakProfile
{
    /// <summary>Sends everything it can.</summary>
    Healthy,

    /// <summary>The stored password is out of date (Gmail's <c>535 5.7.8</c>) until the owner fixes it.</summary>
    WrongPassword,

    /// <summary>Gmail that answers <c>550 5.4.5</c> at MAIL FROM once its day's quota is used.</summary>
    ProviderQuota,

    /// <summary>A small hourly limit of its own, which the library's limiter enforces.</summary>
    OwnHourlyLimit,

    /// <summary>No SMTP configured: everything native.</summary>
    NoSmtp,

    /// <summary>SMTP configured but switched off: everything native.</summary>
    SmtpDisabled,

    /// <summary>"Only Use for Direct Emails" on: documents native, marketing and general mail over SMTP.</summary>
    OnlyDirect,
}

internal sealed record SoakBusiness(string Id, SoakProfile Profile, int ServerIndex, string? UserName, int Quota)
{
    public bool HasSmtp => UserName is not null;
}

internal sealed record SoakMessage(int Number, SoakBusiness Business, EmailCategory Category, string To);
