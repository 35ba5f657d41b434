namespace PetSitter.Email;

/// <summary>
/// What an outgoing email is, as far as routing is concerned. The category decides which channel
/// carries the message and what happens when the business's own mailbox cannot take it.
/// </summary>
/// <remarks>
/// The values start at 1 so that an unset category (<c>default</c>) is rejected instead of being
/// silently treated as marketing mail.
/// </remarks>
public enum EmailCategory
{
    /// <summary>Marketing communication (newsletters, offers). A direct category.</summary>
    Marketing = 1,

    /// <summary>General client communication with no quote or invoice attached. A direct category.</summary>
    General = 2,

    /// <summary>A quote sent to a client. A document category.</summary>
    Quote = 3,

    /// <summary>An invoice sent to a client. A document category.</summary>
    Invoice = 4,

    /// <summary>An account summary or statement. A document category.</summary>
    AccountSummary = 5,

    /// <summary>A system-generated notification (booking confirmations, reminders). A document category.</summary>
    SystemNotification = 6,
}
