namespace PetSitter.Email.Failures;

/// <summary>
/// Mail providers whose replies say more than their codes. Used to pick provider-specific rules and
/// advice; <see cref="Unknown"/> falls back to what the codes and texts mean by the RFCs.
/// </summary>
internal enum KnownSmtpProvider
{
    Unknown = 0,

    /// <summary>Gmail and Google Workspace (they share smtp.gmail.com).</summary>
    Gmail,

    /// <summary>Microsoft 365 / Exchange Online, including "Microsoft 365 from GoDaddy".</summary>
    Microsoft365,

    /// <summary>Outlook.com, Hotmail and Live consumer mailboxes.</summary>
    OutlookCom,

    Yahoo,
    Aol,
    ICloud,
    Zoho,
    Fastmail,
    GoDaddy,
    Ionos,
    Titan,
}
