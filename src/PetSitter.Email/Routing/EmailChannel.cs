namespace PetSitter.Email;

/// <summary>The two ways an email leaves the library.</summary>
public enum EmailChannel
{
    /// <summary>The business's own mailbox over SMTP: sent from the business's address, spending its reputation.</summary>
    Smtp = 1,

    /// <summary>The platform's native mailer: sent as "{Business} via Pet Sitter Plus" with <c>Reply-To</c> the business.</summary>
    Native = 2,
}
