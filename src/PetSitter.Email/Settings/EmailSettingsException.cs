namespace PetSitter.Email;

/// <summary>
/// Thrown when a business's settings cannot be used at all: the business is unknown, or its
/// business-level fields (name, reply-to) are invalid. Problems with the SMTP account itself are not
/// thrown: they become a failed or fallback outcome, since the owner, not the caller, must fix them.
/// </summary>
public sealed class EmailSettingsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public EmailSettingsException()
        : this(string.Empty, "The business's email settings are not usable.", [])
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public EmailSettingsException(string message)
        : this(string.Empty, message, [])
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public EmailSettingsException(string message, Exception innerException)
        : base(message, innerException)
    {
        BusinessId = string.Empty;
        Errors = [];
    }

    /// <summary>Creates the exception for one business.</summary>
    /// <param name="businessId">The business whose settings are unusable.</param>
    /// <param name="message">What is wrong and how to fix it.</param>
    /// <param name="errors">One entry per invalid field.</param>
    public EmailSettingsException(string businessId, string message, IReadOnlyList<string> errors)
        : base(message)
    {
        BusinessId = businessId;
        Errors = errors;
    }

    /// <summary>Gets the business whose settings are unusable.</summary>
    public string BusinessId { get; }

    /// <summary>Gets one entry per invalid field, each naming the field and the fix.</summary>
    public IReadOnlyList<string> Errors { get; }
}
